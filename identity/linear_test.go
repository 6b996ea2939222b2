package identity_test

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// TestParsers_linear proves by bytes allocated, not by time, that the
// identity parsers (the fuzz targets' functions) grow linearly with
// hostile input.
func TestParsers_linear(t *testing.T) {
	app := identity.App{Name: "fleet", Domain: "example.com"}
	tests := []struct {
		name string
		gen  func(n int) string
		run  func(string)
	}{
		{"SubjectTag brackets", func(n int) string { return strings.Repeat("[", n) }, func(s string) { identity.SubjectTag(s) }},
		{"SubjectTag tags", func(n int) string { return strings.Repeat("Re: [a-b] ", n/2) }, func(s string) { identity.SubjectTag(s) }},
		{"ParseApp", func(n int) string { return strings.Repeat("a.", n) + "@example.com" }, func(s string) { identity.ParseApp(s) }},
		{"ParseReplyTo", func(n int) string { return "fleet+" + strings.Repeat("x", n) + "@example.com" }, func(s string) { app.ParseReplyTo(s) }},
		{"ParseThreadID", func(n int) string { return "<fleet+" + strings.Repeat("x.", n) + "@example.com>" }, func(s string) { app.ParseThreadID(s) }},
		{"ParseMessageID", func(n int) string { return "<fleet+" + strings.Repeat("x.", n) + "@example.com>" }, func(s string) { app.ParseMessageID(s) }},
		{"Trace references", func(n int) string { return strings.Repeat("<a@b> ", n) }, func(s string) {
			identity.Trace(mail.Header{"References": {s}, "In-Reply-To": {s}, "Subject": {"[x] " + s}}, app)
		}},
		{"Trace addresses", func(n int) string { return strings.Repeat("a@b.example, ", n) }, func(s string) {
			identity.Trace(mail.Header{"To": {s}, "Cc": {s}, "Delivered-To": {s}}, app)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { lineartest.Check(t, 2000, tt.gen, tt.run) })
	}
}
