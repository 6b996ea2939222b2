package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
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

// cliResult is what one in-process run of the command printed.
type cliResult struct {
	code           int
	stdout, stderr string
}

// testEnv is an environment with the variables in vars only.
func testEnv(vars map[string]string) *env {
	return &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		getenv: func(k string) string { return vars[k] }}
}

// cli runs the command in process with args and vars as its environment.
func cli(ctx context.Context, vars map[string]string, args ...string) cliResult {
	var out, errb syncBuffer
	e := testEnv(vars)
	e.stdout, e.stderr = &out, &errb
	code := run(ctx, e, args)
	return cliResult{code, out.String(), errb.String()}
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// enqueueWorkload renders n messages, to r<i>@partner.test, and enqueues
// them into the PostgreSQL outbox at url in batches of 1 000. It returns
// their Message-IDs.
func enqueueWorkload(t *testing.T, url string, n int) map[string]bool {
	t.Helper()
	ctx := context.Background()
	tpl, err := templates.Parse("notice.md", []byte("---\nsubject: Work order {{ref}}\n---\nHello {{name}}, the vehicle **{{plate}}** is booked.\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mailer.NewRenderer(mailer.Config{Identity: mailer.Identity{From: "Fleet <fleet@example.test>"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(ctx, url, &postgres.Options{Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids := make(map[string]bool, n)
	for base := 0; base < n; base += 1000 {
		var items []outbox.Item
		for i := base; i < min(base+1000, n); i++ {
			env, err := m.Render(ctx, &mailer.Message{Parsed: tpl, To: []string{fmt.Sprintf("r%d@partner.test", i)},
				Resource: fmt.Sprintf("res-%d", i), Data: map[string]any{"ref": i, "name": "Zoé", "plate": "AB-123-CD"}})
			if err != nil {
				t.Fatal(err)
			}
			ids[env.MessageID] = true
			items = append(items, outbox.Item{Key: fmt.Sprintf("workload-%d", i), Env: env})
		}
		if err := s.EnqueueBatch(ctx, items); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// startWorkerCLI runs "mailtrail worker" in process until the test ends;
// it must then exit 0.
func startWorkerCLI(t *testing.T, vars map[string]string, args ...string) *syncBuffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	e := testEnv(vars)
	e.stdout, e.stderr = &out, &out
	done := make(chan int, 1)
	go func() { done <- run(ctx, e, append([]string{"worker"}, args...)) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("worker exit %d, want 0 after its context ended:\n%s", code, out.String())
		}
	})
	return &out
}

// waitCounts polls "outbox status --json" until it prints want.
func waitCounts(t *testing.T, url string, want outbox.Counts) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := cli(context.Background(), nil, "outbox", "status", "--outbox", url, "--json")
		var c outbox.Counts
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &c) != nil {
			t.Fatalf("outbox status --json: exit %d, %q %q", r.code, r.stdout, r.stderr)
		}
		if c == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox status = %+v, want %+v", c, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestOutbox_postgres(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()

	// Nothing runs on a database that was not migrated: the worker says so.
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageRcpt, Rcpt: "r3@partner.test", Code: 550, Text: "no such user"}))
	if r := cli(ctx, nil, "worker", "--outbox", url, "--smtp", srv.URL()); r.code != 1 || !strings.Contains(r.stderr, "outbox migrate") {
		t.Fatalf("worker before migrate: exit %d, stderr %q; want 1 and a hint to run outbox migrate", r.code, r.stderr)
	}
	r := cli(ctx, nil, "outbox", "migrate", "--outbox", url)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "outbox: applied migrations river 1, ") || !strings.HasSuffix(r.stdout, ", mailtrail 1\n") {
		t.Fatalf("outbox migrate: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := cli(ctx, map[string]string{envOutboxURL: url}, "outbox", "migrate"); r.code != 0 || r.stdout != "outbox: up to date\n" {
		t.Fatalf("outbox migrate again (MAILTRAIL_OUTBOX_URL): exit %d, %q %q", r.code, r.stdout, r.stderr)
	}

	enqueueWorkload(t, url, 10)
	r = cli(ctx, nil, "outbox", "status", "--outbox", url)
	if r.code != 0 || r.stdout != "queued:  10\nsent:    0\nfailed:  0\nunknown: 0\n" {
		t.Fatalf("outbox status: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	startWorkerCLI(t, nil, "--outbox", url, "--smtp", srv.URL(), "--concurrency", "3")
	waitCounts(t, url, outbox.Counts{Sent: 9, Failed: 1})

	r = cli(ctx, nil, "outbox", "list", "--outbox", url, "--state", "failed")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "workload-3  <") ||
		!strings.HasSuffix(r.stdout, "to r3@partner.test  permanent after 1 attempt(s): 550 5.1.1 no such user\n") {
		t.Fatalf("outbox list --state failed: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	r = cli(ctx, nil, "outbox", "list", "--outbox", url, "--state", "failed", "--json")
	var e outbox.Entry
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || e.ID != "workload-3" || e.Failure == nil ||
		e.Failure.Code != 550 || e.Failure.Class != "permanent" {
		t.Fatalf("outbox list --json: %v, %q", err, r.stdout)
	}
	if r := cli(ctx, nil, "outbox", "list", "--outbox", url, "--state", "unknown"); r.code != 0 || r.stdout != "" {
		t.Fatalf("outbox list --state unknown: exit %d, %q, want nothing", r.code, r.stdout)
	}
	if r := cli(ctx, nil, "outbox", "list", "--outbox", url, "--state", "lost"); r.code != 2 {
		t.Fatalf("outbox list --state lost: exit %d, want 2", r.code)
	}

	// The failed one again: the server refuses it again, the same way.
	if r := cli(ctx, nil, "outbox", "retry", "--outbox", url, "workload-3", "nope"); r.code != 1 ||
		r.stdout != "queued again: 1\n" || !strings.Contains(r.stderr, `"nope"`) {
		t.Fatalf("outbox retry workload-3 nope: exit %d, %q %q; want 1 queued and exit 1 naming nope", r.code, r.stdout, r.stderr)
	}
	waitCounts(t, url, outbox.Counts{Sent: 9, Failed: 1})
	if r := cli(ctx, nil, "outbox", "retry", "--outbox", url, "--failed"); r.code != 0 || r.stdout != "queued again: 1\n" {
		t.Fatalf("outbox retry --failed: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := cli(ctx, nil, "outbox", "retry", "--outbox", url); r.code != 2 {
		t.Fatalf("outbox retry without ids: exit %d, want 2", r.code)
	}
}

// The folder store answers the same commands.
func TestOutbox_folder(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := outbox.OpenFolder(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enqueue(ctx, &mailer.Envelope{From: "app@example.test", To: []string{"a@partner.test"},
		MessageID: "<m1@example.test>", Data: []byte("Message-ID: <m1@example.test>\r\n\r\nhi\r\n")}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if r := cli(ctx, nil, "outbox", "migrate", "--outbox", dir); r.code != 0 || !strings.Contains(r.stdout, "needs no migration") {
		t.Fatalf("outbox migrate of a folder: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := cli(ctx, nil, "outbox", "status", "--outbox", "file:"+dir, "--json"); r.code != 0 || r.stdout != `{"queued":1,"sent":0,"failed":0,"unknown":0}`+"\n" {
		t.Fatalf("outbox status --json: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	srv := mailtest.NewServer(t)
	startWorkerCLI(t, nil, "--outbox", dir, "--smtp", srv.URL())
	if _, err := srv.WaitMessages(ctx, 1); err != nil {
		t.Fatal(err)
	}
	waitCounts(t, dir, outbox.Counts{Sent: 1})
}

// The password of a PostgreSQL URL never shows, whatever goes wrong.
func TestOutbox_passwordNeverShown(t *testing.T) {
	const pw = "Wr0ng-s3cret-pw"
	bad := "postgres://mailtrail:" + pw + "@127.0.0.1:1/db?connect_timeout=2"
	unparsable := "postgres://mailtrail:" + pw + "@127.0.0.1:1/db?sslmode=bogus"
	runs := [][]string{
		{"outbox", "migrate", "--outbox", bad},
		{"outbox", "status", "--outbox", bad},
		{"outbox", "list", "--outbox", unparsable, "--state", "failed"},
		{"outbox", "retry", "--outbox", unparsable, "--failed"},
		{"worker", "--outbox", bad, "--smtp", "smtp+insecure://127.0.0.1:1"},
	}
	for _, args := range runs {
		r := cli(context.Background(), nil, args...)
		if r.code == 0 {
			t.Errorf("%v: exit 0, want an error", args[:2])
		}
		if strings.Contains(r.stdout+r.stderr, pw) {
			t.Errorf("%v shows the password: %q %q", args[:2], r.stdout, r.stderr)
		}
	}
	if r := cli(context.Background(), map[string]string{envOutboxURL: unparsable}, "outbox", "status"); r.code != 2 || strings.Contains(r.stderr, pw) {
		t.Errorf("MAILTRAIL_OUTBOX_URL unparsable: exit %d, %q; want 2, no password", r.code, r.stderr)
	}

	// A working URL with a password: the worker's banner shows it redacted.
	url := pgtest.URL(t)
	if r := cli(context.Background(), nil, "outbox", "migrate", "--outbox", url); r.code != 0 {
		t.Fatalf("outbox migrate: exit %d %q", r.code, r.stderr)
	}
	srv := mailtest.NewServer(t)
	out := startWorkerCLI(t, nil, "--outbox", url, "--smtp", srv.URL())
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "worker: delivering from") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if pw := pgtest.Password(); pw == "" || !strings.Contains(out.String(), "delivering from") || strings.Contains(out.String(), pw) {
		t.Errorf("worker banner %q: want it, without the password %q", out.String(), pw)
	}
}
