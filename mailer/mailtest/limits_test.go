package mailtest

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// rawSession opens a connection and goes as far as the 354 of DATA,
// declaring no SIZE, as an old client does.
func rawSession(t *testing.T, srv *Server) (net.Conn, *textproto.Conn) {
	t.Helper()
	nc, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	tc := textproto.NewConn(nc)
	steps := []struct {
		cmd  string
		code int
	}{{"", 220}, {"EHLO c.test", 250}, {"MAIL FROM:<a@x.test>", 250}, {"RCPT TO:<b@x.test>", 250}, {"DATA", 354}}
	for _, s := range steps {
		if s.cmd != "" {
			tc.PrintfLine("%s", s.cmd)
		}
		if _, _, err := tc.ReadResponse(s.code); err != nil {
			t.Fatalf("%q: %v", s.cmd, err)
		}
	}
	return nc, tc
}

// TestServer_tooLarge sends a message over the limit without declaring
// its size: the server keeps no more than the limit, answers 552 after
// the final dot, and serves the next message on the same connection.
func TestServer_tooLarge(t *testing.T) {
	const limit = 64 << 10
	srv := NewServer(t, MaxMessageBytes(limit))
	nc, tc := rawSession(t, srv)
	w := bufio.NewWriter(nc)
	line := strings.Repeat("x", 998) + "\r\n"
	for range (limit + limit/2) / len(line) {
		w.WriteString(line)
	}
	w.WriteString(".\r\n")
	w.Flush()
	var te *textproto.Error
	if _, _, err := tc.ReadResponse(250); !errors.As(err, &te) || te.Code != 552 {
		t.Fatalf("end of an oversized DATA: %v, want 552", err)
	}
	if n := srv.Stats().Messages; n != 0 {
		t.Errorf("Messages = %d, want 0", n)
	}
	for _, s := range []struct {
		cmd  string
		code int
	}{{"MAIL FROM:<a@x.test>", 250}, {"RCPT TO:<b@x.test>", 250}, {"DATA", 354}, {"Subject: t\r\n\r\nsmall\r\n.", 250}} {
		tc.PrintfLine("%s", s.cmd)
		if _, _, err := tc.ReadResponse(s.code); err != nil {
			t.Fatalf("next message on the same connection: %q: %v", s.cmd, err)
		}
	}
	if n := srv.Stats().Messages; n != 1 {
		t.Errorf("Messages = %d after the small one, want 1", n)
	}
}

// TestServer_neverEndingData sends DATA that never ends: past twice the
// limit the server answers 552 and disconnects, and keeps serving others.
func TestServer_neverEndingData(t *testing.T) {
	const limit = 64 << 10
	srv := NewServer(t, MaxMessageBytes(limit))
	nc, _ := rawSession(t, srv)
	line := []byte(strings.Repeat("x", 998) + "\r\n")
	sent := 0
	var werr error
	for sent < 1<<30 { // stops long before: the server closes
		var n int
		n, werr = nc.Write(line)
		sent += n
		if werr != nil {
			break
		}
	}
	got, _ := io.ReadAll(nc)
	if werr == nil {
		t.Fatalf("server read %d bytes of a never-ending DATA without closing", sent)
	}
	if len(got) > 0 && !strings.HasPrefix(string(got), "552 5.3.4") {
		t.Errorf("server answered %q, want 552 5.3.4", got)
	}
	c := dial(t, srv)
	if err := c.SendMail("a@x.test", []string{"b@x.test"}, strings.NewReader(body)); err != nil {
		t.Fatalf("another client after a never-ending DATA: %v", err)
	}
}

func TestServer_Deliver(t *testing.T) {
	fail := true
	srv := NewServer(t, Deliver(func(m Message) error {
		if fail {
			return errors.New("disk full")
		}
		return nil
	}))
	c := dial(t, srv)
	err := c.SendMail("a@x.test", []string{"b@x.test"}, strings.NewReader(body))
	if code(err) != 451 {
		t.Fatalf("SendMail with a failing store: %v, want 451", err)
	}
	if n := srv.Stats().Messages; n != 0 {
		t.Errorf("Messages = %d after a failed store, want 0", n)
	}
	fail = false
	if err := c.SendMail("a@x.test", []string{"b@x.test"}, strings.NewReader(body)); err != nil {
		t.Fatalf("SendMail with a working store: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("Messages() = %d, want 1", n)
	}
}

// TestServer_MaxConnections holds the cap in idle connections: one more
// gets 421 at once; once the idle ones time out a new client is served.
func TestServer_MaxConnections(t *testing.T) {
	const cap = 20
	srv := NewServer(t, MaxConnections(cap), IdleTimeout(300*time.Millisecond))
	var idle []net.Conn
	for range cap {
		nc, err := net.Dial("tcp", srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := bufio.NewReader(nc).ReadString('\n'); err != nil { // greeted: counted
			t.Fatal(err)
		}
		idle = append(idle, nc)
	}
	extra, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	extra.SetDeadline(time.Now().Add(10 * time.Second))
	got, _ := io.ReadAll(extra)
	if !strings.HasPrefix(string(got), "421 4.7.0") {
		t.Errorf("connection %d got %q, want 421 4.7.0 and a close", cap+1, got)
	}
	for i, nc := range idle { // each is closed by the idle timeout
		if _, err := io.ReadAll(nc); err != nil {
			t.Fatalf("idle connection %d: %v, want closed by the server", i, err)
		}
	}
	c := dial(t, srv)
	if err := c.SendMail("a@x.test", []string{"b@x.test"}, strings.NewReader(body)); err != nil {
		t.Fatalf("a new client once the idle ones are gone: %v", err)
	}
}
