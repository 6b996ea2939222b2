package outboxtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/outbox"
)

// Transport returns an SMTP transport to url with short timeouts and two
// connections, closed by the test.
func Transport(t *testing.T, url string) mailer.Transport {
	t.Helper()
	return TransportTimeout(t, url, 500*time.Millisecond)
}

// TransportTimeout is Transport with another data timeout.
func TransportTimeout(t *testing.T, url string, data time.Duration) mailer.Transport {
	t.Helper()
	cfg, err := mailer.ParseSMTPURL(url)
	if err != nil {
		t.Fatalf("ParseSMTPURL(%q): %v", url, err)
	}
	cfg.DialTimeout = 2 * time.Second
	cfg.CommandTimeout = 500 * time.Millisecond
	cfg.DataTimeout = data
	cfg.MaxConns = 2
	tr := mailer.NewSMTPTransport(cfg, nil)
	t.Cleanup(func() { tr.Close() })
	return tr
}

// Envelope returns a test message; n makes it unique (recipient
// pN@partner.test, resource rN).
func Envelope(n int) *mailer.Envelope {
	id := fmt.Sprintf("<m%d.r%d@example.test>", n, n)
	return &mailer.Envelope{
		From:      "app@example.test",
		To:        []string{fmt.Sprintf("p%d@partner.test", n)},
		MessageID: id,
		Resource:  fmt.Sprintf("r%d", n),
		Data:      []byte("Message-ID: " + id + "\r\nSubject: test\r\n\r\nbody\r\n"),
	}
}

// ClosedPort returns a loopback address nobody listens on.
func ClosedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// BigBody is a message larger than loopback socket buffers, so that the
// client is still writing it when the server stops reading.
func BigBody() []byte {
	var b bytes.Buffer
	b.WriteString("Subject: big\r\n\r\n")
	line := strings.Repeat("0123456789", 7) + "\r\n"
	for b.Len() < 16<<20 {
		b.WriteString(line)
	}
	return b.Bytes()
}

func mustEnqueue(t *testing.T, s outbox.Store, env *mailer.Envelope) string {
	t.Helper()
	id, err := s.Enqueue(context.Background(), env)
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	return id
}

// run starts s.Run; the function it returns shuts it down and checks
// that Run returned nil.
func run(t *testing.T, s outbox.Store) (stop func()) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- s.Run(context.Background()) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := s.Shutdown(ctx); err != nil {
				t.Errorf("Shutdown: %v", err)
			}
			if err := <-errc; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls the store until the message id meets cond, for at most
// a minute (a database store moves a 16 MB message through its server
// twice before the first attempt, slow under the race detector on a busy
// machine), and returns its entry.
func waitFor(t *testing.T, s outbox.Store, id string, cond func(*outbox.Entry) bool) *outbox.Entry {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var last *outbox.Entry
	for time.Now().Before(deadline) {
		if last = find(t, s, id); last != nil && cond(last) {
			return last
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("message %s never reached the expected state; last seen: %+v", id, last)
	return nil
}

// find looks for id in every state; nil when it is nowhere.
func find(t *testing.T, s outbox.Store, id string) *outbox.Entry {
	t.Helper()
	for _, st := range []outbox.State{outbox.StateQueued, outbox.StateSent, outbox.StateFailed, outbox.StateUnknown} {
		for _, e := range list(t, s, st) {
			if e.ID == id {
				return e
			}
		}
	}
	return nil
}

func list(t *testing.T, s outbox.Store, st outbox.State) []*outbox.Entry {
	t.Helper()
	es, err := s.List(context.Background(), st)
	if err != nil {
		t.Fatalf("List(%v): %v", st, err)
	}
	return es
}
