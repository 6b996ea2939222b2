package main

import (
	"bytes"
	"context"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/mbox"
)

// renderBatchRead splits an mbox file on its From_ lines.
func renderBatchRead(t *testing.T, path string) []*mbox.Message {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := mbox.NewReader(f)
	var out []*mbox.Message
	for {
		m, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("mbox: %v", err)
		}
		out = append(out, m)
	}
}

func TestRenderBatch_mbox(t *testing.T) {
	dir := t.TempDir()
	tmpl, records := sendBatchWorkload(t, dir, 50)
	out := filepath.Join(dir, "out.mbox")
	e, _, stderr := sendBatchTestEnv()
	if code := run(context.Background(), e, []string{"render", "--template", tmpl, "--batch", records,
		"--from", "fleet@example.com", "-o", out}); code != 0 {
		t.Fatalf("render --batch exit %d: %s", code, stderr)
	}
	msgs := renderBatchRead(t, out)
	if len(msgs) != 50 {
		t.Fatalf("mbox holds %d messages, want 50", len(msgs))
	}
	// Counting the From_ lines by hand agrees.
	b, _ := os.ReadFile(out)
	if n := bytes.Count(b, []byte("\nFrom fleet@example.com ")) + 1; n != 50 || !bytes.HasPrefix(b, []byte("From fleet@example.com ")) {
		t.Errorf("%d From_ lines, want 50", n)
	}
	for i, m := range msgs {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if got := msg.Header.Get("To"); got != "r"+strconv.Itoa(i)+"@partner.test" {
			t.Errorf("message %d To = %q, want records in order", i, got)
		}
		if !bytes.Contains(m.Data, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(m.Data, []byte("\r\n"), nil), []byte("\n")) {
			t.Errorf("message %d: want CRLF line endings back", i)
		}
	}
	if !strings.Contains(stderr.String(), "wrote "+out+": 50 messages") {
		t.Errorf("stderr = %q", stderr)
	}
}

// A bad record is reported with its line number and skipped; the others
// are written and the command exits 1.
func TestRenderBatch_badRecords(t *testing.T) {
	dir := t.TempDir()
	tmpl, records := sendBatchMixed(t, dir)
	out := filepath.Join(dir, "out.mbox")
	e, _, stderr := sendBatchTestEnv()
	code := run(context.Background(), e, []string{"render", "--template", tmpl, "--batch", records,
		"--from", "fleet@example.com", "-o", out})
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	for _, want := range []string{records + ":3: not a JSON object", records + `:5: missing "data"`, records + ":7: "} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := len(renderBatchRead(t, out)); n != 4 {
		t.Errorf("mbox holds %d messages, want the 4 good ones", n)
	}
}

func TestRenderBatch_needsOutput(t *testing.T) {
	dir := t.TempDir()
	tmpl, records := sendBatchWorkload(t, dir, 1)
	e, _, stderr := sendBatchTestEnv()
	if code := run(context.Background(), e, []string{"render", "--template", tmpl, "--batch", records,
		"--from", "fleet@example.com"}); code != 2 {
		t.Errorf("render --batch without -o: exit %d, want 2 (%s)", code, stderr)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("folder holds %d files, want only the template and records", len(ents))
	}
}
