package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestHelp_secretsInEnvironment reads every command's --help from the
// built command: no example or flag text puts a password in a flag's
// value (the process list shows flags), and the commands that take a
// URL with credentials name the environment variable for it.
func TestHelp_secretsInEnvironment(t *testing.T) {
	bin := hardenBinary(t)
	// A password in a flag: --smtp smtp://user:pass@…, --imap=imaps://u:p@…
	inFlag := regexp.MustCompile(`--(smtp|imap|outbox|proxy)[ =]\S*://[^/@\s:]+:[^/@\s]+@`)
	wantEnv := map[string][]string{
		"send":   {"MAILTRAIL_SMTP_URL"},
		"worker": {"MAILTRAIL_SMTP_URL", "MAILTRAIL_OUTBOX_URL"},
		"inbox":  {"MAILTRAIL_IMAP_URL"},
		"outbox": {"MAILTRAIL_OUTBOX_URL"},
	}
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			out, _ := exec.Command(bin, c.name, "--help").CombinedOutput()
			help := string(out)
			if !strings.Contains(help, "usage: mailtrail "+c.name) {
				t.Fatalf("mailtrail %s --help printed %q, want its usage", c.name, help)
			}
			if m := inFlag.FindString(help); m != "" {
				t.Errorf("mailtrail %s --help puts a password in a flag: %q", c.name, m)
			}
			for _, v := range wantEnv[c.name] {
				if !strings.Contains(help, v) {
					t.Errorf("mailtrail %s --help does not name %s for the secret", c.name, v)
				}
			}
		})
	}
}
