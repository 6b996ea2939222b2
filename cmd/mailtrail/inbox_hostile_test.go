package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/inbound/imaptest"
)

// TestInboxProcess_hostileHeaders runs the built command over a mailbox
// whose messages carry Message-IDs written to attack a handler that uses
// $MAILTRAIL_KEY unquoted (command substitution, a glob, word splitting),
// a NUL and control bytes: the handler gets a key safe to use as it is,
// and every message is processed.
func TestInboxProcess_hostileHeaders(t *testing.T) {
	bin := hardenBinary(t)
	srv := imaptest.NewServer(t, nil)
	ids := []string{
		"<$(touch PWNED)@evil.example>",
		"<* ; touch PWNED2 @evil.example>",
		"<a\x00b@evil.example>",
		"<c\x01\x1b[2Jd@evil.example>",
		"<plain@partner.example>",
	}
	for i, id := range ids {
		msg := fmt.Sprintf("From: Partner <partner@example.test>\r\nTo: someone@example.test\r\n"+
			"Subject: hostile %d \x07\x00\x1b[31m\r\nMessage-ID: %s\r\nContent-Type: text/plain\r\n\r\nfine\r\n", i, id)
		srv.Deliver("", []byte(msg))
	}
	work := t.TempDir()
	// The handler a careless operator writes: every expansion unquoted.
	script := `echo $MAILTRAIL_KEY >> keys.txt; cat > msg-$MAILTRAIL_KEY.json`
	cmd := exec.Command(bin, "inbox", "--from", "app@example.test", "--exec", script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "MAILTRAIL_IMAP_URL="+srv.URL())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("mailtrail inbox: %v\nstderr: %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != len(ids) {
		t.Fatalf("stdout has %d lines, want %d:\n%s", len(lines), len(ids), stdout.String())
	}
	for _, l := range lines {
		if !strings.Contains(l, "\tprocessed") {
			t.Errorf("line %q: want processed", l)
		}
	}
	if n := len(srv.Messages("processed")); n != len(ids) {
		t.Errorf("processed holds %d messages, want %d; failed holds %d", n, len(ids), len(srv.Messages("failed")))
	}
	for _, f := range []string{"PWNED", "PWNED2"} {
		if _, err := os.Stat(filepath.Join(work, f)); err == nil {
			t.Errorf("the handler ran a command from a Message-ID: %s exists", f)
		}
	}
	keys, err := os.ReadFile(filepath.Join(work, "keys.txt"))
	if err != nil {
		t.Fatal(err)
	}
	hexKey := regexp.MustCompile(`^[0-9a-f]{64}$`)
	seen := map[string]bool{}
	for _, k := range strings.Fields(string(keys)) {
		if !hexKey.MatchString(k) {
			t.Errorf("MAILTRAIL_KEY %q: want 64 hex digits", k)
		}
		seen[k] = true
	}
	if len(seen) != len(ids) {
		t.Errorf("%d distinct keys, want %d: %q", len(seen), len(ids), keys)
	}
	// The raw Message-ID is in the JSON, as the key's source.
	raw, err := os.ReadFile(filepath.Join(work, "msg-"+inboxKeyHash("<plain@partner.example>")+".json"))
	var got struct{ Key string }
	if err == nil {
		err = json.Unmarshal(raw, &got)
	}
	if err != nil || got.Key != "<plain@partner.example>" {
		t.Errorf("JSON of the plain message: key %q (%v), want the raw Message-ID", got.Key, err)
	}
}
