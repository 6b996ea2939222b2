package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/internal/pgtest"
	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox/postgres"
	"github.com/mailtrail/mailtrail/templates"
)

// openStore opens a store on a fresh schema and migrates it.
func openStore(t testing.TB) *postgres.Store {
	t.Helper()
	ctx := context.Background()
	s, err := postgres.Open(ctx, pgtest.URL(t), &postgres.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// quiet logs warnings and errors only.
var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// envelope is a small, valid message numbered n.
func envelope(n int) *mailer.Envelope {
	id := fmt.Sprintf("<m%d.test@app.example.test>", n)
	data := "From: app@example.test\r\nTo: partner@example.net\r\nMessage-ID: " + id +
		"\r\nSubject: test " + fmt.Sprint(n) + "\r\n\r\nmessage " + fmt.Sprint(n) + "\r\n"
	return &mailer.Envelope{From: "app@example.test", To: []string{"partner@example.net"},
		MessageID: id, Resource: fmt.Sprint("R", n), Data: []byte(data)}
}

// renderEnvelope renders a real message through the mailer.
func renderEnvelope(t testing.TB, resource string) *mailer.Envelope {
	t.Helper()
	tpl, err := templates.Parse("t.md", []byte("---\nsubject: Check {{plate}}\n---\nPlease check **{{plate}}**.\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mailer.New(mailer.Config{From: "Fleet <fleet@app.example.test>", Outbox: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	env, err := m.Render(context.Background(), &mailer.Message{Parsed: tpl, To: []string{"partner@example.net"},
		Resource: resource, Data: map[string]any{"plate": "AB-123"}})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// sender returns a Mailer that delivers to srv with conns connections.
func sender(t testing.TB, srv *mailtest.Server, conns int) *mailer.Mailer {
	t.Helper()
	cfg, err := mailer.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = conns
	cfg.DialTimeout, cfg.CommandTimeout, cfg.DataTimeout = 2*time.Second, 2*time.Second, 2*time.Second
	m, err := mailer.New(mailer.Config{From: "app@example.test", SMTP: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// results collects what Work reports.
type results struct {
	mu  sync.Mutex
	all []postgres.Result
	ch  chan postgres.Result
}

func newResults() *results { return &results{ch: make(chan postgres.Result, 10000)} }

func (r *results) add(res postgres.Result) {
	r.mu.Lock()
	r.all = append(r.all, res)
	r.mu.Unlock()
	r.ch <- res
}

// wait returns the next result, failing the test after 30 seconds.
func (r *results) wait(t testing.TB) postgres.Result {
	t.Helper()
	select {
	case res := <-r.ch:
		return res
	case <-time.After(30 * time.Second):
		t.Fatal("no delivery attempt within 30s")
	}
	return postgres.Result{}
}

// startWork runs s.Work until the test ends, with opts (Sender and
// OnResult filled in when nil).
func startWork(t testing.TB, s *postgres.Store, srv *mailtest.Server, opts postgres.WorkOptions) *results {
	t.Helper()
	res := newResults()
	if opts.Sender == nil {
		opts.Sender = sender(t, srv, max(opts.Concurrency, 2))
	}
	if opts.OnResult == nil {
		opts.OnResult = res.add
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Work(ctx, &opts) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Work() = %v", err)
		}
	})
	return res
}

func status(t testing.TB, s *postgres.Store) postgres.Counts {
	t.Helper()
	c, err := s.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitStatus waits for the counts to be want: River records an attempt's
// outcome just after the attempt reports it.
func waitStatus(t testing.TB, s *postgres.Store, want postgres.Counts) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c := status(t, s)
		if c == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Status() = %+v, want %+v", c, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStore_EnqueueTx(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	srv := mailtest.NewServer(t)

	// The application's own table, written in the same transaction.
	if _, err := s.Pool().Exec(ctx, "CREATE TABLE invoice (id text PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	enqueue := func(id string, commit bool) *mailer.Envelope {
		t.Helper()
		tx, err := s.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, "INSERT INTO invoice VALUES ($1)", id); err != nil {
			t.Fatal(err)
		}
		env := renderEnvelope(t, id)
		if _, err := s.EnqueueTx(ctx, tx, "invoice-"+id, env); err != nil {
			t.Fatalf("EnqueueTx() = %v", err)
		}
		if commit {
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return env
	}
	enqueue("INV-1", false) // rolled back
	if c := status(t, s); c != (postgres.Counts{}) {
		t.Fatalf("after a rollback, Status() = %+v, want nothing", c)
	}
	env := enqueue("INV-2", true)
	if c := status(t, s); c != (postgres.Counts{Queued: 1}) {
		t.Fatalf("after a commit, Status() = %+v, want 1 queued", c)
	}

	res := startWork(t, s, srv, postgres.WorkOptions{})
	if r := res.wait(t); r.State != postgres.Sent || r.Err != nil {
		t.Fatalf("attempt = %+v, want sent", r)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || string(msgs[0].Data) != string(env.Data) {
		t.Fatalf("server got %d messages, want the committed one, byte for byte", len(msgs))
	}
	waitStatus(t, s, postgres.Counts{Sent: 1})
}

func TestStore_EnqueueKey_twice(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	id1, err := s.EnqueueKey(ctx, "batch.jsonl-1", envelope(1))
	if err != nil {
		t.Fatalf("EnqueueKey() = %v", err)
	}
	id2, err := s.EnqueueKey(ctx, "batch.jsonl-1", envelope(2))
	if !errors.Is(err, postgres.ErrDuplicate) || id2 != id1 {
		t.Fatalf("EnqueueKey() again = %q, %v; want %q, ErrDuplicate", id2, err, id1)
	}

	// A batch run twice: the second adds nothing, and says so per item.
	items := func() []postgres.Item {
		var it []postgres.Item
		for i := range 50 {
			it = append(it, postgres.Item{Key: fmt.Sprintf("b-%d", i), Env: envelope(i)})
		}
		return it
	}
	first := items()
	if err := s.EnqueueBatch(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := items()
	if err := s.EnqueueBatch(ctx, second); err != nil {
		t.Fatal(err)
	}
	for i := range second {
		if first[i].Err != nil || !errors.Is(second[i].Err, postgres.ErrDuplicate) || second[i].ID != first[i].ID {
			t.Fatalf("item %d: first %q %v, second %q %v; want the second a duplicate of the first",
				i, first[i].ID, first[i].Err, second[i].ID, second[i].Err)
		}
	}
	// Delivered messages keep their keys too.
	srv := mailtest.NewServer(t)
	res := startWork(t, s, srv, postgres.WorkOptions{Concurrency: 4})
	for range 51 {
		res.wait(t)
	}
	if _, err := s.EnqueueKey(ctx, "b-7", envelope(7)); !errors.Is(err, postgres.ErrDuplicate) {
		t.Fatalf("EnqueueKey() of a sent key = %v, want ErrDuplicate", err)
	}
	waitStatus(t, s, postgres.Counts{Sent: 51})
}

func TestStore_EnqueueBatch_badItem(t *testing.T) {
	s := openStore(t)
	items := []postgres.Item{
		{Env: envelope(1)},
		{Env: &mailer.Envelope{From: "a@x.test", To: []string{"b@x.test\r\nRCPT TO:<c@x.test>"}, Data: []byte("x\r\n")}},
		{Env: nil},
	}
	if err := s.EnqueueBatch(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if items[0].Err != nil || items[0].ID == "" {
		t.Errorf("good item: %q, %v", items[0].ID, items[0].Err)
	}
	for _, it := range items[1:] {
		if it.Err == nil {
			t.Errorf("bad item enqueued as %q", it.ID)
		}
	}
	if c := status(t, s); c != (postgres.Counts{Queued: 1}) {
		t.Fatalf("Status() = %+v, want 1 queued", c)
	}
}

func TestStore_Work_notMigrated(t *testing.T) {
	s, err := postgres.Open(context.Background(), pgtest.URL(t), &postgres.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	srv := mailtest.NewServer(t)
	err = s.Work(context.Background(), &postgres.WorkOptions{Sender: sender(t, srv, 1)})
	if !errors.Is(err, postgres.ErrNotMigrated) {
		t.Fatalf("Work() before Migrate = %v, want ErrNotMigrated", err)
	}
	if _, err := s.Enqueue(context.Background(), envelope(1)); !errors.Is(err, postgres.ErrNotMigrated) {
		t.Fatalf("Enqueue() before Migrate = %v, want ErrNotMigrated", err)
	}
	v, err := s.Migrate(context.Background())
	if err != nil || len(v) == 0 {
		t.Fatalf("Migrate() = %v, %v; want versions applied", v, err)
	}
	if v, err := s.Migrate(context.Background()); err != nil || len(v) != 0 {
		t.Fatalf("Migrate() again = %v, %v; want nothing to do", v, err)
	}
}

func TestOpen_passwordNeverShown(t *testing.T) {
	const pw = "Sup3r-s3cret"
	for _, u := range []string{
		"postgres://user:" + pw + "@127.0.0.1:1/db?connect_timeout=2",   // nothing listens
		"postgres://user:" + pw + "@127.0.0.1:1/db?sslmode=bogus",       // refused by the parser
		"postgres://user:" + pw + "@x@127.0.0.1:1/db?connect_timeout=2", // '@' not escaped
		"postgres://user@127.0.0.1:1/db?password=" + pw + "&connect_timeout=2",
	} {
		_, err := postgres.Open(context.Background(), u, nil)
		if err == nil {
			t.Fatalf("Open(%s) = nil error", postgres.Redacted(u))
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("Open() error shows the password: %v", err)
		}
		if r := postgres.Redacted(u); strings.Contains(r, pw) {
			t.Errorf("Redacted() = %q, shows the password", r)
		}
	}
}
