package outbox_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox"
)

// templatesFS stands for os.DirFS("templates") or an embed.FS.
var templatesFS = fstest.MapFS{
	"vehicle-check.md": {Data: []byte(`---
subject: Vehicle check {{vehicle.plate_number}}
---
Dear partner,

Please check vehicle **{{vehicle.plate_number}}** located {{vehicle.address}}.
`)},
}

var vehicle = map[string]any{"vehicle": map[string]any{"plate_number": "AB-123-CD", "address": "3 rue de la Paix, Paris"}}

// With Config.Outbox, Send returns once the message is safely on disk, and
// the folder store's Run delivers it; Drain delivers what is queued and
// returns.
func ExampleFolder() {
	srv, err := mailtest.Listen("127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "outbox")
	defer os.RemoveAll(dir)

	tr, err := mailer.OpenTransport(srv.URL(), nil) // smtp+insecure://127.0.0.1:port
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tr.Close()
	ob, err := outbox.OpenFolder(dir, &outbox.FolderOptions{Transport: tr})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ob.Close()
	m, err := mailer.New(mailer.Config{
		Identity: mailer.Identity{From: "fleet@example.com"},
		Render:   mailer.RenderConfig{Templates: templatesFS},
		Outbox:   ob,
		Logger:   slog.New(slog.DiscardHandler),
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
	e, _ := ob.Lookup(context.Background(), rc.OutboxID)
	fmt.Println("enqueued:", e.State)

	// A long-running service runs `go ob.Run(ctx)` and calls
	// ob.Shutdown(ctx) on its way out.
	if err := ob.Drain(ctx, time.Time{}); err != nil {
		fmt.Println(err)
		return
	}
	n, _ := ob.Counts(ctx)
	fmt.Printf("%+v\n", n)
	fmt.Println("server received:", len(srv.Messages()))
	// Output:
	// enqueued: queued
	// {Queued:0 Sent:1 Failed:0 Unknown:0}
	// server received: 1
}

// Without an SMTP server, the folder store delivers through the file
// transport into a folder of .eml files.
func TestFolder_fileTransport(t *testing.T) {
	dir := t.TempDir()
	ob, err := outbox.OpenFolder(filepath.Join(dir, "queue"), &outbox.FolderOptions{
		Transport: mailer.NewFileTransport(filepath.Join(dir, "mail"), nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	m, err := mailer.New(mailer.Config{
		Identity: mailer.Identity{From: "fleet@example.com"},
		Render:   mailer.RenderConfig{Templates: templatesFS},
		Outbox:   ob,
		Logger:   slog.New(slog.DiscardHandler),
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
	if files, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml")); len(files) != 0 {
		t.Fatalf("mail folder holds %d files before the outbox ran, want 0", len(files))
	}
	if err := ob.Drain(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
	if len(files) != 1 {
		t.Fatalf("mail folder holds %d files, want 1", len(files))
	}
	want := strings.NewReplacer("<", "", ">", "").Replace(rc.MessageID)
	if !strings.Contains(filepath.Base(files[0]), want) {
		t.Errorf("file %s does not name the Message-ID %s", files[0], rc.MessageID)
	}
}

// A store's worker asks the one set of rules what an attempt means.
func ExampleRules_Decide() {
	rules := outbox.Rules{MinBackoff: time.Minute}
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	for _, err := range []error{
		nil,
		&mailer.SendError{Op: mailer.OpDial, Err: fmt.Errorf("connection refused")}, // the server is down
		&mailer.SendError{Op: mailer.OpData, Code: 451, Msg: "try later"},           // this message, later
	} {
		e := &outbox.Entry{ID: "L0000001", Enqueued: now}
		d := rules.Decide(e, err, false, 1, now)
		fmt.Println(d.Action, d.Action.State(), "attempts:", e.Attempts)
	}
	// Output:
	// sent sent attempts: 1
	// snooze queued attempts: 0
	// retry queued attempts: 1
}
