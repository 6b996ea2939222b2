package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/internal/pgtest"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox"
)

// sendBatchPostgres enqueues a batch file into the PostgreSQL outbox at url
// with "mailtrail send --batch", which must exit 0 with want in its
// summary, and not show the URL's password.
func sendBatchPostgres(t *testing.T, url, tmpl, records, want string) {
	t.Helper()
	r := cli(context.Background(), nil, "send", "--template", tmpl, "--batch", records,
		"--from", "Fleet <fleet@example.test>", "--outbox", url)
	if r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Fatalf("send --batch --outbox postgres: exit %d, want 0 and %q:\n%s\n%s", r.code, want, r.stdout, r.stderr)
	}
	if pw := pgtest.Password(); pw != "" && strings.Contains(r.stdout+r.stderr, pw) {
		t.Fatalf("send --batch shows the outbox's password:\n%s\n%s", r.stdout, r.stderr)
	}
}

// The same "send --batch … --outbox postgres://…" run again enqueues
// nothing twice: before the messages are delivered, and after.
func TestSendBatch_postgres_rerun(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	if r := cli(ctx, nil, "outbox", "migrate", "--outbox", url); r.code != 0 {
		t.Fatalf("outbox migrate: exit %d %q", r.code, r.stderr)
	}
	tmpl, records := sendBatchWorkload(t, t.TempDir(), 40)

	sendBatchPostgres(t, url, tmpl, records, "  enqueued: 40 ")
	waitCounts(t, url, outbox.Counts{Queued: 40})
	sendBatchPostgres(t, url, tmpl, records, "  enqueued: 40 ") // the earlier run's, still queued
	waitCounts(t, url, outbox.Counts{Queued: 40})

	srv := mailtest.NewServer(t)
	startWorkerCLI(t, nil, "--outbox", url, "--smtp", srv.URL(), "--concurrency", "4")
	waitCounts(t, url, outbox.Counts{Sent: 40})
	sendBatchPostgres(t, url, tmpl, records, "  sent:     0 (and 40 sent by an earlier run, skipped)")
	time.Sleep(500 * time.Millisecond) // a worker would take anything new at once
	waitCounts(t, url, outbox.Counts{Sent: 40})
	if n := len(srv.Messages()); n != 40 {
		t.Fatalf("server accepted %d messages, want 40", n)
	}
}
