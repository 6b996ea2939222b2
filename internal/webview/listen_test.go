package webview

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
	}{
		{"127.0.0.1:8080", false},
		{"127.1.2.3:0", false},
		{"[::1]:8080", false},
		{"localhost:0", false},
		{":8080", true},
		{"0.0.0.0:8080", true},
		{"[::]:8080", true},
		{"192.0.2.10:8080", true},
		{"[2001:db8::1]:25", true},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := CheckLoopback(context.Background(), tt.addr)
			if got := errors.Is(err, ErrPublic); got != tt.public {
				t.Errorf("CheckLoopback(%q) = %v, want ErrPublic %v", tt.addr, err, tt.public)
			}
		})
	}
	if err := CheckLoopback(context.Background(), "no-port"); err == nil || errors.Is(err, ErrPublic) {
		t.Errorf("CheckLoopback(%q) = %v, want an address error", "no-port", err)
	}
}

func TestListen_refusesPublic(t *testing.T) {
	l, err := Listen(context.Background(), "0.0.0.0:0", false)
	if !errors.Is(err, ErrPublic) {
		if l != nil {
			l.Close()
		}
		t.Fatalf("Listen(0.0.0.0:0, false) = %v, want ErrPublic", err)
	}
}

// TestServe_shutdown checks that cancelling the context stops the server
// cleanly even with an event stream open, and closes the stream.
func TestServe_shutdown(t *testing.T) {
	l, err := Listen(context.Background(), "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	b := newBroker()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /events", b.serveEvents)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, mux) }()

	req, _ := http.NewRequest("GET", "http://"+l.Addr().String()+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 64)
	if _, err := resp.Body.Read(buf); err != nil { // the "ready" event
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve() after cancel = %v, want nil", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Serve did not return after cancel")
	}
	// The stream was ended by the server.
	for {
		if _, err := resp.Body.Read(buf); err != nil {
			break
		}
	}
}

// TestServe_silentConnection: a connection that never sends a request (a
// browser's preconnect) must not turn a stop into an error.
func TestServe_silentConnection(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, http.NotFoundHandler()) }()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The accept loop takes connections in order: once a later request is
	// answered, the silent connection has been accepted too.
	resp, err := http.Get("http://" + l.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after cancel with a silent connection open = %v, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}
