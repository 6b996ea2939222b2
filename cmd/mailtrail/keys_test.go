package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// keysSecret is 32 octets, base64: a key that is long enough.
const keysSecret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyISE"

func TestReadKeys(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		ids     string // the key ids read, in order
		wantErr string
	}{
		{"unset", "", "", ""},
		{"one", "k:" + keysSecret, "k", ""},
		{"rotation", "k:" + keysSecret + ", j:" + keysSecret + "==", "kj", ""},
		{"no colon", keysSecret, "", "want ID:SECRET"},
		{"not base64", "k:not*base64", "", "not base64"},
		{"short secret", "k:c2hvcnQ", "", "secret of 5 octets"},
		{"bad id", "KK:" + keysSecret, "", "not one character"},
		{"same id twice", "k:" + keysSecret + ",k:" + keysSecret, "", "used twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &env{getenv: func(k string) string {
				if k == keysEnv {
					return tt.value
				}
				return ""
			}}
			keys, err := readKeys(e)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("readKeys(%q) = %v, want error containing %q", tt.value, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), keysSecret) {
					t.Errorf("error %q shows the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("readKeys(%q) = %v", tt.value, err)
			}
			var ids string
			for _, k := range keys {
				ids += k.ID
			}
			if ids != tt.ids {
				t.Errorf("readKeys(%q) ids = %q, want %q", tt.value, ids, tt.ids)
			}
		})
	}
}

// TestKeys_signAndVerify: with MAILTRAIL_KEYS set, render signs the reply
// address; trace verifies it, and reports an altered address as forged
// (exit 1), never as a match.
func TestKeys_signAndVerify(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "t.md")
	data := filepath.Join(dir, "t.json")
	os.WriteFile(tmpl, []byte("---\nsubject: Check {{plate}}\n---\nPlease check {{plate}}.\n"), 0o644)
	os.WriteFile(data, []byte(`{"plate": "AB-123-CD"}`), 0o644)
	keysRun := func(keys, stdin string, args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		e := &env{stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr, getenv: func(k string) string {
			if k == keysEnv {
				return keys
			}
			return ""
		}}
		code := run(context.Background(), e, args)
		return code, stdout.String(), stderr.String()
	}
	keys := "k:" + keysSecret
	code, eml, errs := keysRun(keys, "", "render", "--template", tmpl, "--data", data,
		"--from", "fleet@example.com", "--to", "partner@example.net", "--resource", "WO-42")
	if code != 0 {
		t.Fatalf("render exit %d: %s", code, errs)
	}
	var replyTo string
	for _, line := range strings.Split(eml, "\r\n") {
		if v, ok := strings.CutPrefix(line, "Reply-To: "); ok {
			replyTo = v
		}
	}
	if !strings.HasPrefix(replyTo, "fleet+WO-42.k") {
		t.Fatalf("Reply-To = %q, want a signed address fleet+WO-42.k…", replyTo)
	}
	reply := "From: partner@example.net\r\nTo: " + replyTo + "\r\nSubject: Re: Check\r\n\r\nDone.\r\n"

	code, out, errs := keysRun(keys, reply, "trace", "--from", "fleet@example.com", "-")
	if code != 0 || strings.TrimSpace(out) != "WO-42" {
		t.Errorf("trace of the signed reply: exit %d, out %q, err %q; want 0 and WO-42", code, out, errs)
	}
	// Without the keys, the signed address still traces, but is not
	// silently trusted.
	code, out, errs = keysRun("", reply, "trace", "--json", "--from", "fleet@example.com", "-")
	if code != 0 || strings.TrimSpace(out) != `{"resource":"WO-42","source":"address","exact":true,"kind":"reply","verified":false}` ||
		!strings.Contains(errs, "not checked") {
		t.Errorf("trace without keys: exit %d, out %q, err %q; want verified false and a note on stderr", code, out, errs)
	}
	code, out, _ = keysRun(keys, reply, "trace", "--json", "--from", "fleet@example.com", "-")
	if code != 0 || strings.Contains(out, "verified") {
		t.Errorf("trace with keys: exit %d, out %q; want no verified key", code, out)
	}
	forged := strings.Replace(reply, "fleet+WO-42.", "fleet+WO-43.", 1)
	code, out, _ = keysRun(keys, forged, "trace", "--from", "fleet@example.com", "-")
	if code != 1 || out != "" {
		t.Errorf("trace of a forged reply: exit %d, out %q; want exit 1 and nothing on stdout", code, out)
	}
	code, _, errs = keysRun("k:short", reply, "trace", "--from", "fleet@example.com", "-")
	if code != 2 || !strings.Contains(errs, keysEnv) {
		t.Errorf("trace with a bad %s: exit %d, err %q; want 2 naming the variable", keysEnv, code, errs)
	}
}

func TestAppFlag(t *testing.T) {
	tests := []struct {
		from, keys string
		want       string // App.String(), "" for a usage error
		nkeys      int
	}{
		{"fleet@example.com", "", "fleet@example.com", 0},
		{"Fleet desk <fleet@example.com>", "", "fleet@example.com", 0},
		{"fleet@example.com", "k:" + keysSecret, "fleet@example.com", 1},
		{"fleet+x@example.com", "", "", 0},
		{"Fleet desk <fleet+x@example.com>", "", "", 0},
		{"not an address", "", "", 0},
		{"fleet@example.com", "k:short", "", 0},
	}
	for _, tt := range tests {
		e := &env{getenv: func(k string) string {
			if k == keysEnv {
				return tt.keys
			}
			return ""
		}}
		app, err := appFlag(e, tt.from)
		if tt.want == "" {
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Errorf("appFlag(%q, keys %q) = %v, %v; want a usage error", tt.from, tt.keys, app, err)
			}
			continue
		}
		if err != nil || app.String() != tt.want || len(app.Keys) != tt.nkeys {
			t.Errorf("appFlag(%q, keys %q) = %v (%d keys), %v; want %s with %d keys", tt.from, tt.keys, app, len(app.Keys), err, tt.want, tt.nkeys)
		}
	}
}
