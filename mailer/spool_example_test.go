package mailer_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// With Config.Spool, Send returns once the message is safely on disk, and
// the spool's Run delivers it; Drain delivers what is queued and returns.
func ExampleMailer_Spool() {
	srv, err := mailtest.Listen("127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "spool")
	defer os.RemoveAll(dir)

	m, err := mailer.New(mailer.Config{
		From:      "fleet@example.com",
		Templates: templatesFS,
		SMTPURL:   srv.URL(), // smtp+insecure://127.0.0.1:port
		Spool:     dir,
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()

	ctx := context.Background()
	rc, err := m.Send(ctx, &mailer.Message{
		Template: "vehicle-check",
		To:       []string{"partner@example.net"},
		Resource: "WO-42",
		Data:     vehicle,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("spooled:", filepath.Base(filepath.Dir(rc.Path)))

	// A long-running service would run `go m.Spool().Run(ctx)` instead.
	if err := m.Spool().Drain(ctx, time.Time{}); err != nil {
		fmt.Println(err)
		return
	}
	n, _ := m.Spool().Count()
	fmt.Println("queued:", n[mailer.StateQueued], "sent:", n[mailer.StateSent])
	fmt.Println("server received:", len(srv.Messages()))
	// Output:
	// spooled: queue
	// queued: 0 sent: 1
	// server received: 1
}

// Without an SMTP server, a Mailer's spool delivers into the outbox folder.
func TestMailer_Spool_outbox(t *testing.T) {
	dir := t.TempDir()
	m, err := mailer.New(mailer.Config{
		From:      "fleet@example.com",
		Templates: templatesFS,
		Getenv:    func(string) string { return "" },
		Outbox:    filepath.Join(dir, "outbox"),
		Spool:     filepath.Join(dir, "spool"),
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	rc, err := m.Send(ctx, &mailer.Message{Template: "vehicle-check", To: []string{"partner@example.net"}, Data: vehicle})
	if err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml")); len(files) != 0 {
		t.Fatalf("outbox holds %d files before the spool ran, want 0", len(files))
	}
	if err := m.Spool().Drain(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml"))
	if len(files) != 1 {
		t.Fatalf("outbox holds %d files, want 1", len(files))
	}
	want := fileSafeForTest(rc.MessageID)
	if !strings.Contains(filepath.Base(files[0]), want) {
		t.Errorf("outbox file %s does not name the Message-ID %s", files[0], rc.MessageID)
	}
}

func fileSafeForTest(id string) string {
	return strings.NewReplacer("<", "", ">", "").Replace(id)
}
