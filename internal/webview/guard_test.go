package webview

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// serveTest serves h with ServeWith on 127.0.0.1 until the test ends and
// returns the address.
func serveTest(t *testing.T, h http.Handler, opts *ServeOptions) string {
	t.Helper()
	l, err := Listen(context.Background(), "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeWith(ctx, l, h, opts) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ServeWith: %v", err)
		}
	})
	return l.Addr().String()
}

// rawGet sends one request with the given Host header and returns the status.
func rawGet(t *testing.T, addr, host, path string) int {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(waitLimit))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s (Host %s): %v", path, host, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestHostGuard_rebinding plays DNS rebinding against the sink's view: a
// page of attacker.example, its name now pointing at 127.0.0.1, asks for
// a message's raw source. Only the listener's own names are served.
func TestHostGuard_rebinding(t *testing.T) {
	srv, _, name := newTestSink(t)
	addr := serveTest(t, srv.Config.Handler, &ServeOptions{Names: []string{"devbox.test:8026"}})
	_, port, _ := net.SplitHostPort(addr)
	tests := []struct {
		host string
		want int
	}{
		{addr, 200},
		{"localhost:" + port, 200},
		{"LOCALHOST.:" + port, 200},
		{"devbox.test:" + port, 200},
		{"attacker.example:" + port, 403},
		{"attacker.example", 403},
		{"127.0.0.1", 403},         // wrong port: another server's name
		{"127.0.0.2:" + port, 403}, // not the address listened on
		{"localhost.attacker.example:" + port, 403},
		{"[::1]:" + port, 403},
		{"", 403},
	}
	for _, tt := range tests {
		if got := rawGet(t, addr, tt.host, "/m/"+name+"/raw"); got != tt.want {
			t.Errorf("GET /m/…/raw with Host %q = %d, want %d", tt.host, got, tt.want)
		}
	}
}

func TestHostGuard_unspecified(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	h := HostGuard(&net.TCPAddr{IP: net.IPv4zero, Port: 8026}, nil, ok)
	for host, want := range map[string]int{"192.0.2.7:8026": 200, "localhost:8026": 200, "evil.example:8026": 403, "192.0.2.7:80": 403} {
		req, _ := http.NewRequest("GET", "/", nil)
		req.Host = host
		w := &statusRecorder{header: http.Header{}}
		h.ServeHTTP(w, req)
		if w.code == 0 {
			w.code = 200
		}
		if w.code != want {
			t.Errorf("HostGuard(0.0.0.0:8026) Host %q = %d, want %d", host, w.code, want)
		}
	}
}

type statusRecorder struct {
	header http.Header
	code   int
}

func (s *statusRecorder) Header() http.Header         { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusRecorder) WriteHeader(code int)        { s.code = code }

// TestServeWith_idleConnections holds every connection slot with idle
// clients (some silent, some between requests): they are closed by the
// timeouts, and a new client is then served.
func TestServeWith_idleConnections(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	const slots = 8
	addr := serveTest(t, ok, &ServeOptions{MaxConns: slots, IdleTimeout: 300 * time.Millisecond})
	var idle []net.Conn
	for i := range 5 * slots {
		c, err := net.Dial("tcp", addr) // more than the cap: the rest wait in the queue
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if i%2 == 0 { // a keep-alive client that went quiet after one request
			fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		}
		idle = append(idle, c)
	}
	resp, err := (&http.Client{Timeout: waitLimit}).Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("a new client behind %d idle ones: %v", len(idle), err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d, want 200", resp.StatusCode)
	}
	for i, c := range idle[:slots] {
		c.SetDeadline(time.Now().Add(waitLimit))
		if _, err := io.ReadAll(c); err != nil {
			t.Errorf("idle connection %d: %v, want closed by the server", i, err)
		}
	}
}

// TestEvents_cap opens more event streams than allowed: the extra ones get
// 503, and pages still load. Streams never take more than half the
// connections.
func TestEvents_cap(t *testing.T) {
	for _, tt := range []struct {
		conns, streams int
	}{
		{2 * maxStreams, maxStreams},
		{6, 3},
		{1, 0},
	} {
		t.Run(fmt.Sprintf("%d connections", tt.conns), func(t *testing.T) {
			b := newBroker()
			mux := http.NewServeMux()
			mux.HandleFunc("GET /events", b.serveEvents)
			mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {})
			addr := serveTest(t, mux, &ServeOptions{MaxConns: tt.conns})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			codes := map[int]int{}
			for range tt.streams + 10 {
				req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/events", nil)
				resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
				if err != nil {
					t.Fatal(err)
				}
				codes[resp.StatusCode]++
				if resp.StatusCode != 200 {
					resp.Body.Close()
				}
			}
			if codes[200] != tt.streams || codes[503] != 10 {
				t.Errorf("event streams: %v, want %d × 200 and 10 × 503", codes, tt.streams)
			}
			if got := rawGet(t, addr, addr, "/"); got != 200 {
				t.Errorf("page with every stream open: %d, want 200", got)
			}
			cancel()
		})
	}
}
