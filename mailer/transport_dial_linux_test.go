package mailer

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// hangingPort returns the port of a loopback listener whose accept queue
// is full, so that a new connect hangs (Linux drops the SYN) until the
// client gives up. It skips the test when the kernel answers anyway.
func hangingPort(t *testing.T) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil { // never accepted
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	// Fill the queue, then make sure the next connect does hang.
	for range 4 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return port
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("this kernel accepts connections beyond the listen backlog; no hanging connect to test with")
	return 0
}

// TestTransport_dialTimeout proves the connect timeout (DialTimeout) and
// that ctx ends a connect that hangs, before any greeting.
func TestTransport_dialTimeout(t *testing.T) {
	port := hangingPort(t)
	t.Run("timeout", func(t *testing.T) {
		tr := newTransport(&SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecurityNone, DialTimeout: 200 * time.Millisecond}, nil)
		err := send(tr, "b@x.test")
		se := asSendError(t, err)
		wantClass(t, err, ErrTransient, ErrTimeout)
		if se.Op != OpDial {
			t.Errorf("send() = %v: Op %q, want dial", err, se.Op)
		}
	})
	t.Run("ctx", func(t *testing.T) {
		tr := newTransport(&SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecurityNone, DialTimeout: time.Minute}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- tr.send(ctx, "app@x.test", []string{"b@x.test"}, []byte(testMsg)) }()
		time.Sleep(100 * time.Millisecond) // let the connect start; the outcome is the same either way
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("send() = %v, want context.Canceled", err)
		}
	})
}
