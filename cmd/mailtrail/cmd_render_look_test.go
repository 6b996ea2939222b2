package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

func TestRender_ccBccHeader(t *testing.T) {
	tmpl, data := renderFixture(t)
	e, stdout, stderr := renderTestEnv(nil)
	code := run(context.Background(), e, []string{"render", "--template", tmpl, "--data", data,
		"--from", "fleet@example.com", "--to", "partner@example.net", "--resource", "WO-42",
		"--cc", "Desk <desk@example.net>", "--cc", "boss@example.net", "--bcc", "audit@example.org",
		"--header", "X-Order: 42", "--header", "Importance: high"})
	if code != 0 {
		t.Fatalf("render exit %d: %s", code, stderr)
	}
	msg := renderParse(t, stdout.Bytes())
	if got := msg.Header.Get("Cc"); got != "Desk <desk@example.net>, boss@example.net" {
		t.Errorf("Cc = %q", got)
	}
	if got := msg.Header.Get("X-Order"); got != "42" {
		t.Errorf("X-Order = %q", got)
	}
	if got := msg.Header.Get("Importance"); got != "high" {
		t.Errorf("Importance = %q", got)
	}
	if bytes.Contains(bytes.ToLower(stdout.Bytes()), []byte("audit@example.org")) || msg.Header.Get("Bcc") != "" {
		t.Errorf("the Bcc address is in the message bytes")
	}
}

func TestRender_lookFlagsErrors(t *testing.T) {
	tmpl, data := renderFixture(t)
	dir := filepath.Dir(tmpl)
	badBrand := filepath.Join(dir, "bad-brand.yaml")
	if err := os.WriteFile(badBrand, []byte("name: Acme\ncolor: orange\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"render", "--template", tmpl, "--data", data, "--from", "fleet@example.com", "--to", "p@example.net", "--resource", "R"}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"header without colon", []string{"--header", "X-Order 42"}, 2, `want "Name: value"`},
		{"header not allowed", []string{"--header", "Bcc: x@example.org"}, 1, `header "Bcc" is not allowed`},
		{"header with CR", []string{"--header", "X-A: a\rb"}, 1, "carriage return"},
		{"bad brand names file and line", []string{"--brand", badBrand}, 1, badBrand + ":2:8: color:"},
		{"missing layout", []string{"--layout", filepath.Join(dir, "nope.html")}, 1, "nope.html"},
		{"cc with batch", []string{"--batch", data, "-o", filepath.Join(dir, "o.mbox"), "--cc", "a@example.net"}, 2, "with --batch each record carries its own"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _, stderr := renderTestEnv(nil)
			if code := run(context.Background(), e, append(append([]string{}, base...), tc.args...)); code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr = %q, want %q", stderr, tc.want)
			}
		})
	}
}

// TestRender_brandBesideTemplates renders the branded sample: its
// brand.yaml is picked up from the templates folder, and --brand and
// --layout override it.
func TestRender_brandBesideTemplates(t *testing.T) {
	args := []string{"render", "--template", "../../testdata/branded/invoice.md", "--data", "../../testdata/branded/invoice.json",
		"--from", "Acme Fleet <accounts@acme-fleet.example>", "--to", "garage@example.net", "--resource", "INV-2026-0117", "--locale", "fr"}
	e, stdout, stderr := renderTestEnv(nil)
	if code := run(context.Background(), e, args); code != 0 {
		t.Fatalf("render exit %d: %s", code, stderr)
	}
	msg := renderParse(t, stdout.Bytes())
	if got := msg.Header.Get("List-Unsubscribe"); got != "<https://acme-fleet.example/mail/unsubscribe>" {
		t.Errorf("List-Unsubscribe = %q", got)
	}
	if got := msg.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", got)
	}
	raw := stdout.String()
	for _, want := range []string{"Se d=C3=A9sabonner", "alt=3D\"Acme Fleet\""} {
		if !strings.Contains(raw, want) {
			t.Errorf("message lacks %q", want)
		}
	}

	dir := t.TempDir()
	layout := filepath.Join(dir, "plain.html")
	brand := filepath.Join(dir, "other.json")
	if err := os.WriteFile(layout, []byte("<html><body><div>{{body}}</div></body></html>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(brand, []byte(`{"name": "Other Co"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	e, stdout, stderr = renderTestEnv(nil)
	if code := run(context.Background(), e, append(args, "--layout", layout, "--brand", brand)); code != 0 {
		t.Fatalf("render exit %d: %s", code, stderr)
	}
	msg = renderParse(t, stdout.Bytes())
	if got := msg.Header.Get("List-Unsubscribe"); got != "" {
		t.Errorf("List-Unsubscribe = %q, want none (the --brand file has no unsubscribe URL)", got)
	}
	if strings.Contains(stdout.String(), "Acme Fleet SAS") || !strings.Contains(stdout.String(), "Other Co") {
		t.Errorf("--brand did not replace brand.yaml")
	}
}

func TestCheck_warnings(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "t.md")
	layout := filepath.Join(dir, "layout.html")
	if err := os.WriteFile(tmpl, []byte("---\nsubject: s\n---\nHello.\n\n![](https://x.example/a.png)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(layout, []byte("<html><head><style>\n.a { display: grid; }\n</style></head><body><div class=\"a\">{{body}}</div></body></html>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, stdout, stderr := renderTestEnv(nil)
	if code := run(context.Background(), e, []string{"check", "--template", tmpl}); code != 0 {
		t.Fatalf("check exit %d, want 0 (warnings only): %s%s", code, stdout, stderr)
	}
	want := tmpl + ":6:1: warning: image \"https://x.example/a.png\" has no alt text"
	if !strings.Contains(stdout.String(), want) {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	want = layout + ":2:6: warning: CSS display:grid is dropped by Gmail (web) and Outlook (Windows)"
	if !strings.Contains(stdout.String(), want) {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if !strings.HasSuffix(stdout.String(), tmpl+": ok\n") {
		t.Errorf("stdout = %q, want it to end with the ok line", stdout)
	}
}

func TestSend_bccOnTheEnvelopeOnly(t *testing.T) {
	tmpl, data := renderFixture(t)
	srv := mailtest.NewServer(t)
	e, _, stderr := renderTestEnv(nil)
	args := []string{"send", "--template", tmpl, "--data", data, "--from", "fleet@example.com", "--smtp", srv.URL(),
		"--to", "partner@example.net", "--cc", "desk@example.net", "--bcc", "audit@example.org", "--header", "X-Order: 42"}
	if code := run(context.Background(), e, args); code != 0 {
		t.Fatalf("send exit %d: %s", code, stderr)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server got %d messages", len(got))
	}
	if want := []string{"partner@example.net", "desk@example.net", "audit@example.org"}; strings.Join(got[0].To, " ") != strings.Join(want, " ") {
		t.Errorf("RCPT TO = %v, want %v", got[0].To, want)
	}
	if bytes.Contains(got[0].Data, []byte("audit@example.org")) {
		t.Errorf("the Bcc address is in the message bytes")
	}
	msg := renderParse(t, got[0].Data)
	if msg.Header.Get("Cc") != "desk@example.net" || msg.Header.Get("X-Order") != "42" {
		t.Errorf("Cc = %q, X-Order = %q", msg.Header.Get("Cc"), msg.Header.Get("X-Order"))
	}
}
