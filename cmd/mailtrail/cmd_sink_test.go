package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/internal/webview"
)

// sinkWaitLimit bounds waits in the sink tests; it is a deadline against a
// hang, not a measure of speed.
const sinkWaitLimit = 30 * time.Second

// sinkBuffer is a bytes.Buffer safe for the sink's concurrent writes.
type sinkBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *sinkBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *sinkBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// sinkStart runs the sink in-process on loopback port 0 and returns its SMTP
// and web view addresses. The sink is stopped, and checked to stop cleanly,
// when the test ends.
func sinkStart(t *testing.T, o sinkOptions) (smtpAddr, uiAddr string, stdout *sinkBuffer) {
	t.Helper()
	stdout, stderr := &sinkBuffer{}, &sinkBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	type addrs struct{ smtp, ui string }
	ready := make(chan addrs, 1)
	done := make(chan error, 1)
	go func() {
		done <- sinkRun(ctx, e, o, func(s, u string) { ready <- addrs{s, u} })
	}()
	select {
	case a := <-ready:
		smtpAddr, uiAddr = a.smtp, a.ui
	case err := <-done:
		cancel()
		t.Fatalf("sink stopped before it was ready: %v\nstderr: %s", err, stderr)
	case <-time.After(sinkWaitLimit):
		cancel()
		t.Fatal("sink not ready")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("sink after cancel = %v, want nil", err)
			}
			if !strings.Contains(stderr.String(), "sink: stopped") {
				t.Errorf("sink stderr = %q, want a stop notice", stderr)
			}
		case <-time.After(sinkWaitLimit):
			t.Error("sink did not stop after cancel")
		}
	})
	return smtpAddr, uiAddr, stdout
}

// sinkTemplate writes the template and data file sinkSend uses.
func sinkTemplate(t *testing.T) (tpl, data string) {
	t.Helper()
	dir := t.TempDir()
	tpl, data = filepath.Join(dir, "vehicle-check.md"), filepath.Join(dir, "vehicle-check.json")
	if err := os.WriteFile(tpl, []byte("---\nsubject: Vehicle check {{n}}\n---\nHello,\n\nvehicle **{{plate}}** is due.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return tpl, data
}

// sinkSend sends message i about resource to the SMTP server at addr the
// way a user would: "mailtrail send --smtp smtp+insecure://ADDR".
func sinkSend(t *testing.T, addr, tpl, data, resource string, i int) {
	t.Helper()
	if err := os.WriteFile(data, []byte(fmt.Sprintf(`{"n": %d, "plate": "AB-%03d-CD"}`, i, i)), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	args := []string{"send", "--template", tpl, "--data", data, "--from", "fleet@example.test",
		"--to", fmt.Sprintf("partner%d@example.test", i), "--resource", resource, "--smtp", "smtp+insecure://" + addr}
	if code := run(context.Background(), e, args); code != 0 {
		t.Fatalf("mailtrail %s: exit %d\nstdout %s\nstderr %s", strings.Join(args, " "), code, &out, &errb)
	}
}

func TestSink_tenMessages(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sink")
	smtpAddr, uiAddr, stdout := sinkStart(t, sinkOptions{Listen: "127.0.0.1:0", Dir: dir, UI: "127.0.0.1:0"})
	app := identityApp(t)

	// Ten messages, each sent the way a user would: "mailtrail send".
	tpl, data := sinkTemplate(t)
	resources := make(map[string]bool)
	for i := range 10 {
		r := identity.New()
		resources[r] = true
		sinkSend(t, smtpAddr, tpl, data, r, i)
	}

	// Each message is saved before the sink answers 250, so all ten are
	// there now.
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 10 {
		t.Fatalf("sink saved %d .eml files, want 10: %q", len(files), files)
	}
	traced := make(map[string]bool)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Errorf("%s does not parse: %v", f, err)
			continue
		}
		id := strings.Trim(m.Header.Get("Message-ID"), "<>")
		if !strings.Contains(filepath.Base(f), id) {
			t.Errorf("file %s is not named after its Message-ID %s", filepath.Base(f), id)
		}
		tr := webview.TraceMessage(raw, &app)
		if !resources[tr.Resource] {
			t.Errorf("%s traces to %q (%v), want one of the resources sent", f, tr.Resource, tr.Err)
		}
		traced[tr.Resource] = true
	}
	if len(traced) != 10 {
		t.Errorf("the files trace to %d resources, want 10", len(traced))
	}

	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 10 {
		t.Fatalf("sink printed %d lines, want 10:\n%s", len(lines), stdout)
	}
	for r := range resources {
		if !strings.Contains(stdout.String(), "resource "+r+" (references)") {
			t.Errorf("sink output has no line with resource %s:\n%s", r, stdout)
		}
	}
	if !strings.HasPrefix(lines[0], "from fleet@example.test to partner0@example.test subject \"[") ||
		!strings.Contains(lines[0], "] Vehicle check 0\" resource ") {
		t.Errorf("first line = %q, want from, to and subject", lines[0])
	}

	// The web view lists them, newest first, with their resources.
	resp, err := http.Get("http://" + uiAddr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	for r := range resources {
		if !strings.Contains(page, r) {
			t.Errorf("web view does not show resource %s", r)
		}
	}
	if i, j := strings.Index(page, "Vehicle check 9"), strings.Index(page, "Vehicle check 0"); i < 0 || j < 0 || i > j {
		t.Errorf("web view does not list message 9 before message 0 (at %d and %d)", i, j)
	}
}

func TestSink_usage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no dir", []string{"sink", "--listen", "127.0.0.1:0"}, 2, "--dir is required"},
		{"public smtp", []string{"sink", "--listen", "0.0.0.0:0", "--dir", "x"}, 2, "--allow-public"},
		{"public ui", []string{"sink", "--listen", "127.0.0.1:0", "--ui", ":0", "--dir", "x"}, 2, "--allow-public"},
		{"bad from", []string{"sink", "--listen", "127.0.0.1:0", "--dir", "x", "--from", "a+b@x"}, 2, "--from"},
		{"extra arg", []string{"sink", "--dir", "x", "more"}, 2, "unexpected argument"},
		{"help", []string{"sink", "--help"}, 0, "example:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
			dir := t.TempDir()
			args := append([]string(nil), tt.args...)
			for i, a := range args {
				if a == "x" {
					args[i] = filepath.Join(dir, "x")
				}
			}
			if code := run(context.Background(), e, args); code != tt.code {
				t.Fatalf("run(%q) = %d, want %d; stderr %q", args, code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("run(%q) stderr = %q, want it to mention %q", args, stderr.String(), tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
				t.Errorf("run(%q) created the folder although it refused to start", args)
			}
		})
	}
}

func identityApp(t *testing.T) identity.App {
	t.Helper()
	app, err := identity.ParseApp("fleet@example.test")
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// TestSink_from checks that --from decides which application's addresses
// count when tracing: the right one finds the resource exactly; for another
// only the subject tag is left, a hint that the line marks as not exact. It
// also runs the sink without --ui.
func TestSink_from(t *testing.T) {
	tpl, data := sinkTemplate(t)
	const resource = "2c8d4f6a-1b3e-4a5c-9d7e-0f1a2b3c4d5e"
	for _, tt := range []struct{ from, want string }{
		{"fleet@example.test", "resource " + resource + " (references)"},
		{"billing@example.test", "resource 2c8d4f6a (subject, not exact) file "},
	} {
		t.Run(tt.from, func(t *testing.T) {
			smtpAddr, _, stdout := sinkStart(t, sinkOptions{Listen: "127.0.0.1:0", Dir: t.TempDir(), From: tt.from})
			sinkSend(t, smtpAddr, tpl, data, resource, 1)
			if got := stdout.String(); !strings.Contains(got, tt.want) {
				t.Errorf("sink --from %s printed %q, want %q", tt.from, got, tt.want)
			}
		})
	}
}

// TestSinkSubject_long checks that a sink line shows at most sinkSubjectMax
// characters of a subject, cut on a character boundary.
func TestSinkSubject_long(t *testing.T) {
	for _, tc := range []struct{ subject, want string }{
		{"Re: [r1] check", "Re: [r1] check"},
		{strings.Repeat("é", sinkSubjectMax), strings.Repeat("é", sinkSubjectMax)},
		{strings.Repeat("é", sinkSubjectMax+1), strings.Repeat("é", sinkSubjectMax) + "…"},
		{"Re: " + strings.Repeat("x ", 1_000_000), "Re: " + strings.Repeat("x ", (sinkSubjectMax-4)/2) + "…"},
	} {
		raw := []byte("Subject: " + tc.subject + "\r\n\r\nbody\r\n")
		if got := sinkSubject(raw); got != tc.want {
			t.Errorf("sinkSubject(%.40q…) = %.60q… (%d bytes), want %d bytes", tc.subject, got, len(got), len(tc.want))
		}
	}
}
