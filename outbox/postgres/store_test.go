package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/internal/pgtest"
	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox"
	"github.com/mailtrail/mailtrail/outbox/postgres"
	"github.com/mailtrail/mailtrail/templates"
)

// openStore opens a store on a fresh schema and migrates it; opts may be
// nil. Its Run, when started, is stopped by Close when the test ends.
func openStore(t testing.TB, opts *postgres.Options) *postgres.Store {
	t.Helper()
	ctx := context.Background()
	var o postgres.Options
	if opts != nil {
		o = *opts
	}
	if o.Logger == nil {
		o.Logger = quiet
	}
	s, err := postgres.Open(ctx, pgtest.URL(t), &o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
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
	m, err := mailer.NewRenderer(mailer.Config{Identity: mailer.Identity{From: "Fleet <fleet@app.example.test>"}})
	if err != nil {
		t.Fatal(err)
	}
	env, err := m.Render(context.Background(), &mailer.Message{Parsed: tpl, To: []string{"partner@example.net"},
		Resource: resource, Data: map[string]any{"plate": "AB-123"}})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// transport returns an SMTP transport to addr (an SMTP URL) with conns
// connections, closed when the test ends.
func transport(t testing.TB, url string, conns int) mailer.Transport {
	t.Helper()
	cfg, err := mailer.ParseSMTPURL(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = conns
	cfg.DialTimeout, cfg.CommandTimeout, cfg.DataTimeout = 2*time.Second, 2*time.Second, 2*time.Second
	tr := mailer.NewSMTPTransport(cfg, quiet)
	t.Cleanup(func() { tr.Close() })
	return tr
}

// results collects what Run reports.
type results struct{ ch chan outbox.Result }

// deliveryStore opens a store (as openStore) that delivers to smtpURL,
// starts its Run, and returns it with what its attempts report. Both stop
// when the test ends.
func deliveryStore(t testing.TB, smtpURL string, opts *postgres.Options) (*postgres.Store, *results) {
	t.Helper()
	var o postgres.Options
	if opts != nil {
		o = *opts
	}
	res := &results{ch: make(chan outbox.Result, 100000)}
	o.OnResult = func(r outbox.Result) { res.ch <- r }
	if o.Transport == nil {
		o.Transport = transport(t, smtpURL, max(o.Concurrency, 2))
	}
	s := openStore(t, &o)
	return s, res
}

// run starts s.Run until the test ends.
func run(t testing.TB, s *postgres.Store) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.Run(context.Background()) }()
	t.Cleanup(func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Errorf("Run() = %v", err)
		}
	})
}

// wait returns the next attempt's result, failing the test after 30 seconds.
func (r *results) wait(t testing.TB) outbox.Result {
	t.Helper()
	select {
	case res := <-r.ch:
		return res
	case <-time.After(30 * time.Second):
		t.Fatal("no delivery attempt within 30s")
	}
	return outbox.Result{}
}

func status(t testing.TB, s *postgres.Store) outbox.Counts {
	t.Helper()
	c, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitStatus waits for the counts to be want: River records an attempt's
// outcome just after the attempt reports it.
func waitStatus(t testing.TB, s *postgres.Store, want outbox.Counts) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c := status(t, s)
		if c == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Counts() = %+v, want %+v", c, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStore_EnqueueTx(t *testing.T) {
	srv := mailtest.NewServer(t)
	s, res := deliveryStore(t, srv.URL(), nil)
	ctx := context.Background()

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
	if c := status(t, s); c != (outbox.Counts{}) {
		t.Fatalf("after a rollback, Counts() = %+v, want nothing", c)
	}
	env := enqueue("INV-2", true)
	if c := status(t, s); c != (outbox.Counts{Queued: 1}) {
		t.Fatalf("after a commit, Counts() = %+v, want 1 queued", c)
	}

	run(t, s)
	if r := res.wait(t); r.State != outbox.StateSent || r.Err != nil || r.Entry.MessageID != env.MessageID {
		t.Fatalf("attempt = %+v, want the message sent", r)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || string(msgs[0].Data) != string(env.Data) {
		t.Fatalf("server got %d messages, want the committed one, byte for byte", len(msgs))
	}
	waitStatus(t, s, outbox.Counts{Sent: 1})
}

func TestStore_EnqueueKey_twice(t *testing.T) {
	srv := mailtest.NewServer(t)
	s, res := deliveryStore(t, srv.URL(), &postgres.Options{Concurrency: 4})
	ctx := context.Background()
	id1, err := s.EnqueueKey(ctx, "batch.jsonl-1", envelope(1))
	if err != nil {
		t.Fatalf("EnqueueKey() = %v", err)
	}
	id2, err := s.EnqueueKey(ctx, "batch.jsonl-1", envelope(2))
	if !errors.Is(err, outbox.ErrDuplicate) || id2 != id1 {
		t.Fatalf("EnqueueKey() again = %q, %v; want %q, ErrDuplicate", id2, err, id1)
	}

	// A batch run twice: the second adds nothing, and says so per item.
	items := func() []outbox.Item {
		var it []outbox.Item
		for i := range 50 {
			it = append(it, outbox.Item{Key: fmt.Sprintf("b-%d", i), Env: envelope(i)})
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
		if first[i].Err != nil || !errors.Is(second[i].Err, outbox.ErrDuplicate) || second[i].ID != first[i].ID {
			t.Fatalf("item %d: first %q %v, second %q %v; want the second a duplicate of the first",
				i, first[i].ID, first[i].Err, second[i].ID, second[i].Err)
		}
	}
	// Delivered messages keep their keys too.
	run(t, s)
	for range 51 {
		res.wait(t)
	}
	if _, err := s.EnqueueKey(ctx, "b-7", envelope(7)); !errors.Is(err, outbox.ErrDuplicate) {
		t.Fatalf("EnqueueKey() of a sent key = %v, want ErrDuplicate", err)
	}
	waitStatus(t, s, outbox.Counts{Sent: 51})
}

func TestStore_EnqueueBatch_badItem(t *testing.T) {
	s := openStore(t, nil)
	items := []outbox.Item{
		{Env: envelope(1)},
		{Env: &mailer.Envelope{From: "a@x.test", To: []string{"b@x.test\r\nRCPT TO:<c@x.test>"}, Data: []byte("x\r\n")}},
		{Env: nil},
	}
	if err := s.EnqueueBatch(context.Background(), items); err == nil {
		t.Fatal("EnqueueBatch() = nil, want the bad items' errors")
	}
	if items[0].Err != nil || items[0].ID == "" {
		t.Errorf("good item: %q, %v", items[0].ID, items[0].Err)
	}
	for _, it := range items[1:] {
		if it.Err == nil {
			t.Errorf("bad item enqueued as %q", it.ID)
		}
	}
	if c := status(t, s); c != (outbox.Counts{Queued: 1}) {
		t.Fatalf("Counts() = %+v, want 1 queued", c)
	}
}

func TestStore_Run_notMigrated(t *testing.T) {
	srv := mailtest.NewServer(t)
	s, err := postgres.Open(context.Background(), pgtest.URL(t), &postgres.Options{Logger: quiet, Transport: transport(t, srv.URL(), 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Run(context.Background()); !errors.Is(err, postgres.ErrNotMigrated) {
		t.Fatalf("Run() before Migrate = %v, want ErrNotMigrated", err)
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

// The message's bytes are kept as they are, whatever they are: not UTF-8,
// NUL, a line without its CRLF.
func TestStore_Enqueue_anyBytes(t *testing.T) {
	s := openStore(t, nil)
	ctx := context.Background()
	env := envelope(1)
	env.Data = append(env.Data[:len(env.Data):len(env.Data)], "caf\xe9 \x00 \\ \"\r\nno end"...)
	id, err := s.Enqueue(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	var data []byte
	if err := s.Pool().QueryRow(ctx, `SELECT data FROM mailtrail_message WHERE job_id = $1::bigint`, id).Scan(&data); err != nil {
		t.Fatal(err)
	}
	if string(data) != string(env.Data) {
		t.Errorf("stored %q, want %q", data, env.Data)
	}
	list, err := s.List(ctx, outbox.StateQueued)
	if err != nil || len(list) != 1 || list[0].Size != len(env.Data) {
		t.Fatalf("List() = %+v, %v; want the message, Size %d", list, err, len(env.Data))
	}
}
