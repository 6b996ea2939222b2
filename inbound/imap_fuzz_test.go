package inbound_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/inbound"
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
		err := (&inbound.Poller{URL: raw}).Check()
		if err != nil && !errors.Is(err, inbound.ErrConfig) {
			t.Fatalf("Check(%q) = %v, want nil or ErrConfig", raw, err)
		}
		if err != nil && strings.Contains(err.Error(), password) && !strings.Contains(host, password) {
			t.Fatalf("Check(%q) = %q shows the password", raw, err)
		}
		if red := inbound.RedactURL(raw); strings.Contains(red, password) && !strings.Contains(host, password) {
			t.Fatalf("RedactURL(%q) = %q shows the password", raw, red)
		}
		// The raw form, unescaped, as a user might paste it.
		raw = "imaps://user:" + password + "@" + host
		if red := inbound.RedactURL(raw); strings.Contains(red, password) && !strings.Contains(host, password) &&
			!strings.Contains("imaps://user:", password) {
			t.Fatalf("RedactURL(%q) = %q shows the password", raw, red)
		}
	})
}
