package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox"
)

// TestSend_outbox is the README's main command on a fresh machine: no SMTP
// configured, the message lands in ./outbox.
func TestSend_outbox(t *testing.T) {
	tmpl, data := renderFixture(t)
	t.Chdir(t.TempDir())
	e, stdout, stderr := renderTestEnv(nil)
	code := run(context.Background(), e, []string{"send", "--template", tmpl, "--data", data,
		"--from", "fleet@example.com", "--to", "partner@example.net"})
	if code != 0 {
		t.Fatalf("send exit %d: %s", code, stderr)
	}
	out := stdout.String()
	m := regexp.MustCompile(`(?m)^resource:   ([0-9a-f-]{36})\nmessage-id: (<fleet\+[^>]+@example\.com>)\nwritten:    (mail/\S+\.eml) `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("stdout = %q, want resource, message-id and the outbox file", out)
	}
	b, err := os.ReadFile(m[3])
	if err != nil {
		t.Fatal(err)
	}
	msg := renderParse(t, b)
	if msg.Header.Get("Message-ID") != m[2] || !strings.Contains(msg.Header.Get("Reply-To"), m[1]) {
		t.Errorf("file headers do not match the printed ids: %v", msg.Header)
	}
	// Said once: on the written line, not again as a log line.
	if !strings.Contains(out, "no SMTP server configured") || stderr.Len() != 0 {
		t.Errorf("stdout = %q, stderr = %q: want the outbox notice once, on stdout", out, stderr)
	}
}

func TestSend_smtp(t *testing.T) {
	tmpl, data := renderFixture(t)
	tests := []struct {
		name string
		flag bool // --smtp rather than MAILTRAIL_SMTP_URL
	}{{"flag", true}, {"environment", false}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.NewServer(t)
			args := []string{"send", "--template", tmpl, "--data", data, "--from", "fleet@example.com",
				"--to", "partner@example.net", "--resource", "WO-42"}
			vars := map[string]string{}
			if tc.flag {
				args = append(args, "--smtp", srv.URL())
				vars["MAILTRAIL_SMTP_URL"] = "smtp://unused.invalid"
			} else {
				vars["MAILTRAIL_SMTP_URL"] = srv.URL()
			}
			e, stdout, stderr := renderTestEnv(vars)
			if code := run(context.Background(), e, args); code != 0 {
				t.Fatalf("send exit %d: %s", code, stderr)
			}
			got := srv.Messages()
			if len(got) != 1 || got[0].To[0] != "partner@example.net" {
				t.Fatalf("server got %+v", got)
			}
			renderParse(t, got[0].Data)
			if !strings.Contains(stdout.String(), "resource:   WO-42\n") || !strings.Contains(stdout.String(), "sent:") {
				t.Errorf("stdout = %q", stdout)
			}
		})
	}
}

func TestSend_errors(t *testing.T) {
	tmpl, data := renderFixture(t)
	base := []string{"send", "--template", tmpl, "--data", data, "--from", "fleet@example.com", "--to", "partner@example.net"}
	tests := []struct {
		name     string
		args     []string
		vars     map[string]string
		wantCode int
		want     string
	}{
		{"password with @ not encoded", base, map[string]string{"MAILTRAIL_SMTP_URL": "smtp://user:p@ss@mail.example.com:587"}, 2, "percent-encode"},
		{"bad scheme", append(base, "--smtp", "ftp://mail.example.com"), nil, 2, "scheme"},
		{"outbox with a bad scheme", append(base, "--outbox", "ftp://u:p@ss@db.example.com/x"), nil, 2, "outbox ftp://u:xxxxx@db.example.com/x: unknown scheme"},
		{"server refuses", nil, nil, 1, "mailtrail send: resource "},
		{"bad concurrency", append(base, "--concurrency", "0"), nil, 2, "concurrency"},
		{"missing flags", []string{"send", "--template", tmpl}, nil, 2, "missing --from, --data, --to"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args == nil {
				srv := mailtest.NewServer(t, mailtest.RejectRcpt(550))
				args = append(append([]string{}, base...), "--smtp", srv.URL())
			}
			// The fallback folder, had anything been written there.
			t.Chdir(t.TempDir())
			outbox := mailer.DefaultFileDir
			e, _, stderr := renderTestEnv(tc.vars)
			code := run(context.Background(), e, args)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.wantCode, stderr)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr = %q, want it to mention %q", stderr, tc.want)
			}
			if tc.args == nil && !regexp.MustCompile(`mailtrail send: resource [0-9a-f-]{36}, message-id <fleet\+[^>]+>: mailer: .*550`).MatchString(stderr.String()) {
				t.Errorf("stderr = %q, want the resource, the message-id and the server's 550", stderr)
			}
			if strings.Contains(stderr.String(), "p@ss") {
				t.Errorf("stderr shows the password: %q", stderr)
			}
			if _, err := os.Stat(outbox); err == nil {
				t.Errorf("an outbox was written after an error")
			}
		})
	}
}

// TestSend_badInputSendsNothing checks that send refuses bad input with
// exit 1 before it connects to the server or writes an outbox file.
func TestSend_badInputSendsNothing(t *testing.T) {
	tmpl, data := renderFixture(t)
	dir := filepath.Dir(tmpl)
	base := []string{"send", "--template", tmpl, "--data", data, "--from", "fleet@example.com", "--to", "partner@example.net"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"ESMTP parameter in an address", []string{"--to", `"a@b> ORCPT=c"@d`}, "dot-atom"},
		{"CRLF in an address", []string{"--to", "a@b.example\r\nRCPT TO:<x@evil.example>"}, "carriage return"},
		{"CRLF in subject data", []string{"--data", filepath.Join(dir, "evil.json")}, "subject"},
		{"display name with CRLF", []string{"--to", "\"Evil\r\nBcc: x@evil.example\" <a@example.net>"}, "carriage return"},
		{"resource too long", []string{"--resource", strings.Repeat("r", 60)}, "64"},
		{"resource with a newline", []string{"--resource", "WO-1\nBcc: x"}, "resource id"},
		{"missing attachment", []string{"--attach", filepath.Join(dir, "nope.pdf")}, "nope.pdf"},
		{"unknown locale", []string{"--locale", "fe"}, "not a known language"},
		{"missing template", []string{"--template", filepath.Join(dir, "nope.md")}, "nope.md"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.NewServer(t)
			outbox := filepath.Join(t.TempDir(), "outbox")
			args := append(append(append([]string{}, base...), tc.args...), "--smtp", srv.URL(), "--outbox", outbox)
			// --outbox: the message would be enqueued there, not sent.
			e, stdout, stderr := renderTestEnv(nil)
			if code := run(context.Background(), e, args); code != 1 {
				t.Errorf("exit %d, want 1; stderr: %s", code, stderr)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr = %q, want it to mention %q", stderr, tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if n := srv.Stats().Connections; n != 0 {
				t.Errorf("send connected %d times for a message it refused", n)
			}
			if files, _ := filepath.Glob(filepath.Join(outbox, "queue", "*")); len(files) != 0 {
				t.Errorf("the outbox holds %s, want nothing enqueued", files)
			}
		})
	}
}

// With --outbox (or MAILTRAIL_OUTBOX_URL), send only enqueues: the message
// waits in the outbox for a worker, and nothing reaches the server.
func TestSend_outboxEnqueues(t *testing.T) {
	tmpl, data := renderFixture(t)
	for _, tc := range []struct {
		name string
		flag bool
	}{{"flag", true}, {"environment", false}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.NewServer(t)
			dir := filepath.Join(t.TempDir(), "outbox")
			args := []string{"send", "--template", tmpl, "--data", data, "--from", "fleet@example.com",
				"--to", "partner@example.net", "--resource", "WO-42", "--smtp", srv.URL()}
			vars := map[string]string{}
			if tc.flag {
				args = append(args, "--outbox", "file:"+dir)
			} else {
				vars["MAILTRAIL_OUTBOX_URL"] = dir
			}
			e, stdout, stderr := renderTestEnv(vars)
			if code := run(context.Background(), e, args); code != 0 {
				t.Fatalf("send exit %d: %s", code, stderr)
			}
			m := regexp.MustCompile(`(?m)^enqueued:   (\S+) \(outbox `).FindStringSubmatch(stdout.String())
			if m == nil {
				t.Fatalf("stdout = %q, want the id in the outbox", stdout)
			}
			ob, err := outbox.OpenFolder(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			if e, err := ob.Lookup(context.Background(), m[1]); err != nil || e.State != outbox.StateQueued {
				t.Errorf("the message is not queued in %s: %+v, %v", dir, e, err)
			}
			if n := srv.Stats().Connections; n != 0 {
				t.Errorf("send connected %d times, want none: workers deliver", n)
			}
		})
	}
}
