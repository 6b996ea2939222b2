package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound/imaptest"
)

const inboxResource = "0b9f4a52-8c1e-4d3a-9f7e-2a6c5d4e3f21"

func inboxMsg(t *testing.T, n int, traced bool) []byte {
	t.Helper()
	to := "someone@example.test"
	if traced {
		var err error
		to, err = identity.App{Name: "app", Domain: "example.test"}.ReplyTo(inboxResource)
		if err != nil {
			t.Fatal(err)
		}
	}
	return []byte(fmt.Sprintf("From: Partner <partner@example.test>\r\nTo: %s\r\n"+
		"Subject: Re: check %d\r\nMessage-ID: <inbox-%d@partner.example.test>\r\n"+
		"Content-Type: text/plain\r\n\r\nfine\r\n", to, n, n))
}

// inboxRun runs mailtrail with args in-process.
func inboxRun(ctx context.Context, args []string, environ map[string]string, stdout *syncBuffer) (int, string) {
	var stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: stdout, stderr: &stderr,
		getenv: func(k string) string { return environ[k] }}
	code := run(ctx, e, args)
	return code, stderr.String()
}

// syncBuffer is a bytes.Buffer safe for concurrent use, that can tell
// when a line was written.
type syncBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	onLine func()
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	n, err := b.buf.Write(p)
	f := b.onLine
	b.mu.Unlock()
	if f != nil && bytes.Contains(p, []byte("\n")) {
		f()
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestInbox_usage(t *testing.T) {
	srv := imaptest.NewServer(t, nil)
	tests := []struct {
		name     string
		args     []string
		environ  map[string]string
		wantCode int
		wantErr  string
	}{
		{"no URL", []string{"inbox", "--from", "app@example.test"}, nil, 2, "MAILTRAIL_IMAP_URL"},
		{"no --from", []string{"inbox", "--imap", srv.URL()}, nil, 2, "--from"},
		{"bad --from", []string{"inbox", "--imap", srv.URL(), "--from", "nobody"}, nil, 2, "--from"},
		{"plain text to a remote host", []string{"inbox", "--imap", "imap+insecure://u:hunter2@mail.example.test", "--from", "app@example.test"}, nil, 2, "loopback"},
		{"password with a raw @", []string{"inbox", "--imap", "imaps://u:hun@ter2%@mail.example.test", "--from", "app@example.test"}, nil, 2, "percent-encode"},
		{"unknown scheme from the environment", []string{"inbox", "--from", "app@example.test"},
			map[string]string{"MAILTRAIL_IMAP_URL": "pop3://u:hunter2@mail.example.test"}, 2, "unknown scheme"},
		{"bad --move", []string{"inbox", "--imap", srv.URL(), "--from", "app@example.test", "--move", "teleport"}, nil, 2, "--move"},
		{"stray argument", []string{"inbox", "--imap", srv.URL(), "--from", "app@example.test", "extra"}, nil, 2, "unexpected"},
		{"wrong password", []string{"inbox", "--imap", imaptest.URL("imap+insecure", imaptest.User, "hunter2", srv.Addr()), "--from", "app@example.test"}, nil, 1, "login refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := inboxRun(context.Background(), tt.args, tt.environ, &syncBuffer{})
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantErr) {
				t.Fatalf("mailtrail %s = exit %d, stderr %q; want exit %d mentioning %q",
					strings.Join(tt.args, " "), code, stderr, tt.wantCode, tt.wantErr)
			}
			for _, secret := range []string{"hunter2", "ter2", imaptest.Password} {
				if strings.Contains(stderr, secret) {
					t.Errorf("stderr %q shows the password", stderr)
				}
			}
		})
	}
}

func TestInbox_lines(t *testing.T) {
	srv := imaptest.NewServer(t, nil)
	srv.Deliver("", inboxMsg(t, 1, true))
	srv.Deliver("", inboxMsg(t, 2, false))
	var out syncBuffer
	// The URL from the environment, as a deployment would set it.
	code, stderr := inboxRun(context.Background(), []string{"inbox", "--from", "app@example.test"},
		map[string]string{"MAILTRAIL_IMAP_URL": srv.URL()}, &out)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	want := "1\tpartner@example.test\t\"Re: check 1\"\t" + inboxResource + "\tprocessed\n" +
		"2\tpartner@example.test\t\"Re: check 2\"\t-\tfailed\tidentity: no resource found\n"
	if got := out.String(); got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(stderr, "1 processed, 1 failed") {
		t.Errorf("stderr %q: want the summary", stderr)
	}
	if n := len(srv.Messages("processed")); n != 1 {
		t.Errorf("processed holds %d messages, want 1", n)
	}
	if n := len(srv.Messages("failed")); n != 1 {
		t.Errorf("failed holds %d messages, want 1", n)
	}
	if strings.Contains(stderr, imaptest.Password) {
		t.Errorf("stderr shows the password")
	}
}

func TestInbox_exec(t *testing.T) {
	srv := imaptest.NewServer(t, &imaptest.Options{NoMove: true})
	srv.Deliver("", inboxMsg(t, 1, true))
	srv.Deliver("", inboxMsg(t, 2, false))
	dir := t.TempDir()
	// Save the JSON; succeed only for a message traced exactly.
	script := fmt.Sprintf(`cat > %s/msg-$MAILTRAIL_UID.json && grep -q '"exact":true' %s/msg-$MAILTRAIL_UID.json || { echo "no exact trace" >&2; exit 3; }`, dir, dir)
	var out syncBuffer
	code, stderr := inboxRun(context.Background(), []string{"inbox", "--imap", srv.URL(),
		"--from", "app@example.test", "--exec", script, "--move", "copy", "--processed", "Done", "--failed", "Broken"}, nil, &out)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "\tprocessed") ||
		!strings.Contains(lines[1], "\tfailed\t--exec: exit status 3: no exact trace") {
		t.Errorf("stdout:\n%s\nwant message 1 processed, 2 failed with the command's reason", out.String())
	}

	raw, err := os.ReadFile(filepath.Join(dir, "msg-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		UID     uint32 `json:"uid"`
		Key     string `json:"key"`
		Mailbox string `json:"mailbox"`
		Trace   *struct {
			Resource, Source string
			Exact            bool
		} `json:"trace"`
		Message map[string]any `json:"message"`
		Reply   struct {
			Text string `json:"text"`
		} `json:"reply"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("--exec stdin is not JSON: %v\n%s", err, raw)
	}
	if got.UID != 1 || got.Key != "<inbox-1@partner.example.test>" || got.Mailbox != "INBOX" ||
		got.Trace == nil || got.Trace.Resource != inboxResource || got.Trace.Source != "address" || got.Message == nil ||
		got.Message["headers"].(map[string]any)["subject"] != "Re: check 1" || got.Reply.Text != "fine" {
		t.Errorf("--exec stdin = %s", raw)
	}
	if n := len(srv.Messages("Done")); n != 1 {
		t.Errorf("Done holds %d messages, want 1", n)
	}
	if n := len(srv.Messages("Broken")); n != 1 {
		t.Errorf("Broken holds %d messages, want 1", n)
	}
}

func TestInbox_watch(t *testing.T) {
	srv := imaptest.NewServer(t, nil)
	idling := make(chan struct{}, 10)
	srv.OnIdle(func() { idling <- struct{}{} })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{onLine: cancel} // stop after the first message
	done := make(chan int, 1)
	var stderr string
	go func() {
		var code int
		code, stderr = inboxRun(ctx, []string{"inbox", "--imap", srv.URL(), "--from", "app@example.test", "--watch"}, nil, out)
		done <- code
	}()
	<-idling
	srv.Deliver("", inboxMsg(t, 1, true))
	if code := <-done; code != 0 {
		t.Fatalf("--watch interrupted: exit %d, stderr %q; want 0", code, stderr)
	}
	if !strings.Contains(out.String(), inboxResource+"\tprocessed") {
		t.Errorf("stdout %q: want the message processed", out.String())
	}
	if st := srv.Stats(); st.Logouts != 1 {
		t.Errorf("LOGOUT = %d, want 1", st.Logouts)
	}
}

func TestInbox_ledger(t *testing.T) {
	srv := imaptest.NewServer(t, nil)
	srv.Deliver("", inboxMsg(t, 1, true))
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	code, stderr := inboxRun(context.Background(), []string{"inbox", "--imap", srv.URL(),
		"--from", "app@example.test", "--ledger", path}, nil, &syncBuffer{})
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"key":"<inbox-1@partner.example.test>","outcome":"processed"}` + "\n"; string(got) != want {
		t.Errorf("ledger = %q, want %q", got, want)
	}
}
