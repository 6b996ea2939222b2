package identity_test

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// linearApp is the application the hostile identities are read for.
var linearApp = identity.App{Name: "fleet", Domain: "example.com"}

// hostileIdentities are inputs of size about n built to trip super-linear
// code in the identity parsers.
var hostileIdentities = []struct {
	name string
	gen  func(n int) string
	run  func(string)
}{
	{"SubjectTag brackets", func(n int) string { return strings.Repeat("[", n) }, func(s string) { identity.SubjectTag(s) }},
	{"SubjectTag tags", func(n int) string { return strings.Repeat("Re: [a-b] ", n/2) }, func(s string) { identity.SubjectTag(s) }},
	{"ParseApp", func(n int) string { return strings.Repeat("a.", n) + "@example.com" }, func(s string) { identity.ParseApp(s) }},
	{"ParseReplyTo", func(n int) string { return "fleet+" + strings.Repeat("x", n) + "@example.com" }, func(s string) { linearApp.ParseReplyTo(s) }},
	{"ParseThreadID", func(n int) string { return "<fleet+" + strings.Repeat("x.", n) + "@example.com>" }, func(s string) { linearApp.ParseThreadID(s) }},
	{"ParseMessageID", func(n int) string { return "<fleet+" + strings.Repeat("x.", n) + "@example.com>" }, func(s string) { linearApp.ParseMessageID(s) }},
	{"Trace references", func(n int) string { return strings.Repeat("<a@b> ", n) }, func(s string) {
		identity.Trace(mail.Header{"References": {s}, "In-Reply-To": {s}, "Subject": {"[x] " + s}}, linearApp)
	}},
	{"Trace addresses", func(n int) string { return strings.Repeat("a@b.example, ", n) }, func(s string) {
		identity.Trace(mail.Header{"To": {s}, "Cc": {s}, "Delivered-To": {s}}, linearApp)
	}},
	{"Trace display names", func(n int) string { return strings.Repeat(`"Some Body" <a@b.example>, `, n) }, func(s string) {
		identity.Trace(mail.Header{"From": {s}, "To": {s}, "Cc": {s}}, linearApp)
	}},
}

// TestParsers_linear proves by bytes allocated, not by time, that the
// identity parsers (the fuzz targets' functions) grow linearly with
// hostile input.
func TestParsers_linear(t *testing.T) {
	for _, tt := range hostileIdentities {
		t.Run(tt.name, func(t *testing.T) { lineartest.Check(t, 2000, tt.gen, tt.run) })
	}
}

// BenchmarkParsers_hostile runs each identity parser at 10×, 100× and
// 1000× a base of 100: MB/s stays flat when it is linear.
func BenchmarkParsers_hostile(b *testing.B) {
	for _, tt := range hostileIdentities {
		b.Run(strings.ReplaceAll(tt.name, " ", "_"), func(b *testing.B) {
			lineartest.Bench(b, 100, tt.gen, func(s string) int { return len(s) }, tt.run)
		})
	}
}
