package outbox

import (
	"context"
	"github.com/mailtrail/mailtrail/mailer"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// spoolSMTP returns the SMTP configuration of srv with short timeouts.
func spoolSMTP(t *testing.T, url string) *mailer.SMTPConfig {
	t.Helper()
	cfg, err := mailer.ParseSMTPURL(url)
	if err != nil {
		t.Fatalf("ParseSMTPURL(%q): %v", url, err)
	}
	cfg.DialTimeout = 2 * time.Second
	cfg.CommandTimeout = 500 * time.Millisecond
	cfg.DataTimeout = 500 * time.Millisecond
	cfg.MaxConns = 4
	return cfg
}

// smtpTransport returns a transport for cfg, closed by the test.
func smtpTransport(t *testing.T, cfg *mailer.SMTPConfig) mailer.Transport {
	tr := mailer.NewSMTPTransport(cfg, nil)
	t.Cleanup(func() { tr.Close() })
	return tr
}

// A message that keeps failing does not block the rest: the server refuses
// one recipient with 451 for ever, and every other message goes out.
func TestFolder_faults_badMessageDoesNotBlock(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.RejectRcptFor("p0@partner.test", 451))
	s := quickSpool(t, FolderOptions{Transport: smtpTransport(t, spoolSMTP(t, srv.URL())), Concurrency: 1,
		Rules: Rules{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxAge: time.Hour}})
	for i := range 30 {
		spoolMustEnqueue(t, s, spoolEnv(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() { errc <- s.Run(runCtx) }()
	if _, err := srv.WaitMessages(ctx, 29); err != nil {
		t.Fatalf("WaitMessages(29): %v (the failing message blocked the queue)", err)
	}
	for spoolCounts(t, s)[StateSent] < 29 && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond) // the last 250 is being filed
	}
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	n := spoolCounts(t, s)
	if n[StateSent] != 29 || n[StateQueued] != 1 {
		t.Errorf("folders = %v, want 29 sent and 1 queued", n)
	}
}

// A batch over several reused connections sends each message exactly once,
// and a server closing an idle connection with 421 costs nothing.
func TestFolder_faults_concurrentBatch(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageAccepted, Code: 421, Times: 3}))
	const n = 200
	s := quickSpool(t, FolderOptions{Transport: smtpTransport(t, spoolSMTP(t, srv.URL())), Concurrency: 4})
	for i := range n {
		spoolMustEnqueue(t, s, spoolEnv(i))
	}
	spoolDrain(t, s)
	msgs := srv.Messages()
	if len(msgs) != n {
		t.Fatalf("server accepted %d messages, want exactly %d", len(msgs), n)
	}
	seen := map[string]bool{}
	conns := map[int]bool{}
	for _, m := range msgs {
		seen[m.To[0]] = true
		conns[m.Conn] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct recipients, want %d", len(seen), n)
	}
	if len(conns) > 4+3 {
		t.Errorf("%d connections for %d messages, want them reused (at most 4 + 3 after the 421s)", len(conns), n)
	}
	if c := spoolCounts(t, s); c[StateSent] != n {
		t.Errorf("sent/ holds %d, want %d", c[StateSent], n)
	}
}

// spoolTestLogger logs through t.Log.
func spoolTestLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(spoolTLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type spoolTLogWriter struct{ t *testing.T }

func (w spoolTLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
