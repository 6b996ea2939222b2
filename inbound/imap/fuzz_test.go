package imap_test

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/inbound/imap"
)

// FuzzPoller_Check checks that no URL makes Check panic or show the
// password, and that RedactURL hides it too.
func FuzzPoller_Check(f *testing.F) {
	for _, s := range []string{
		"imaps://u:pw@mail.example.test", "imap://u:pw@h:143", "imap+insecure://u:pw@127.0.0.1:1143",
		"imaps://u:p@w@h", "imaps://u:p%zz@h", "imaps://[::1", "imaps://u:pw@h/INBOX?x#y", "", "pw",
		"imaps://app%40example.test:pw@h", "imap+insecure://u:pw@[::1]:1",
	} {
		f.Add(s, "secretpw")
	}
	f.Fuzz(func(t *testing.T, host, password string) {
		// A marker no message of ours contains, so that a hit is the password.
		password = "Qz7" + password
		if strings.Contains(host, "Qz7") {
			return
		}
		raw := "imaps://user:" + url.PathEscape(password) + "@" + host
		err := (&imap.Poller{URL: raw}).Check()
		if err != nil && !errors.Is(err, imap.ErrConfig) {
			t.Fatalf("Check(%q) = %v, want nil or ErrConfig", raw, err)
		}
		if err != nil && strings.Contains(err.Error(), password) && !strings.Contains(host, password) {
			t.Fatalf("Check(%q) = %q shows the password", raw, err)
		}
		if red := imap.RedactURL(raw); strings.Contains(red, password) && !strings.Contains(host, password) {
			t.Fatalf("RedactURL(%q) = %q shows the password", raw, red)
		}
		// The raw form, unescaped, as a user might paste it.
		raw = "imaps://user:" + password + "@" + host
		if red := imap.RedactURL(raw); strings.Contains(red, password) && !strings.Contains(host, password) &&
			!strings.Contains("imaps://user:", password) {
			t.Fatalf("RedactURL(%q) = %q shows the password", raw, red)
		}
	})
}

// FuzzOpenFileLedger checks that any ledger file opens (torn or foreign
// lines are skipped) and that what is recorded is found again after a
// reopen, whatever the key.
func FuzzOpenFileLedger(f *testing.F) {
	f.Add([]byte(`{"key":"<a@b>","outcome":"processed"}`+"\n"), "<x@y>")
	f.Add([]byte(`{"key":"<a@b>","outcome":"failed"}`+"\n"+`{"key":"<c@d>","outc`), "sha256:00")
	f.Add([]byte("garbage\n\x00\xff\n{}\n"), "key with\nnewline and \"quotes\"")
	f.Fuzz(func(t *testing.T, content []byte, key string) {
		path := filepath.Join(t.TempDir(), "ledger.jsonl")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := imap.OpenFileLedger(path)
		if err != nil {
			if bytes.Count(content, []byte("\n")) == 0 && len(content) > 1<<20 {
				return // one line over the scanner's limit
			}
			t.Fatalf("OpenFileLedger(%q) = %v", content, err)
		}
		ctx := context.Background()
		// A torn last line must not swallow the next record.
		if err := l.Record(ctx, key, imap.OutcomeFailed); err != nil {
			t.Fatal(err)
		}
		l.Close()
		l, err = imap.OpenFileLedger(path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer l.Close()
		o, ok, err := l.Lookup(ctx, key)
		if err != nil || !ok || o != imap.OutcomeFailed {
			t.Fatalf("Lookup(%q) after reopen = %v, %v, %v; want failed", key, o, ok, err)
		}
	})
}
