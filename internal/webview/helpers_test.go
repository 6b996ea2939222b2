package webview

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// waitLimit bounds every wait in these tests. It is a deadline for a test
// that would otherwise hang, never a measure of speed.
const waitLimit = 20 * time.Second

// get fetches path from srv and returns the response and its body.
func get(t *testing.T, srv *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Keep the path exactly as written (no cleaning of "..") so that the
	// server sees what an attacker would send.
	req.URL.Opaque = path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		req.URL.Opaque, req.URL.RawQuery = path[:i], path[i+1:]
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", path, err)
	}
	return resp, string(b)
}

// eventStream is an open connection to an /events endpoint.
type eventStream struct {
	events chan string // event names, in order
	cancel context.CancelFunc
}

// openEvents connects to srv's /events and waits for the "ready" event, so
// that the caller knows it is subscribed before changing anything.
func openEvents(t *testing.T, srv *httptest.Server) *eventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET /events: %v", err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		cancel()
		t.Fatalf("GET /events: Content-Type = %q, want text/event-stream", ct)
	}
	es := &eventStream{events: make(chan string, 16), cancel: cancel}
	go func() {
		defer resp.Body.Close()
		defer close(es.events)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				es.events <- name
			}
		}
	}()
	t.Cleanup(cancel)
	es.want(t, "ready")
	return es
}

// want waits for the next event and checks its name.
func (es *eventStream) want(t *testing.T, name string) {
	t.Helper()
	select {
	case got, ok := <-es.events:
		if !ok {
			t.Fatalf("event stream ended, want event %q", name)
		}
		if got != name {
			t.Fatalf("event = %q, want %q", got, name)
		}
	case <-time.After(waitLimit):
		t.Fatalf("no %q event within %v", name, waitLimit)
	}
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not contain %q", what, w)
		}
	}
}
