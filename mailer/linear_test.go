package mailer

import (
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// TestParsers_linear proves by bytes allocated, not by time, that the
// mailer's parsers and encoders of fuzz targets grow linearly with hostile
// input.
func TestParsers_linear(t *testing.T) {
	tests := []struct {
		name string
		gen  func(n int) string
		run  func(string)
	}{
		{"parseAddress quotes", func(n int) string { return `"` + strings.Repeat(`a\"`, n) + `" <a@x.test>` }, func(s string) { parseAddress("To", s) }},
		{"parseAddress comments", func(n int) string { return strings.Repeat("(", n) + "a@x.test" }, func(s string) { parseAddress("To", s) }},
		{"parseAddress list", func(n int) string { return strings.Repeat("a@x.test, ", n) }, func(s string) { parseAddress("To", s) }},
		{"encodeText", func(n int) string { return strings.Repeat("é a ", n) }, func(s string) { encodeText(s) }},
		{"ParseSMTPURL", func(n int) string { return "smtp://u:" + strings.Repeat("%40", n) + "@h:25?timeout=1s" }, func(s string) { ParseSMTPURL(s) }},
		{"ParseSMTPURL query", func(n int) string { return "smtp://h:25/?" + strings.Repeat("a=b&", n) }, func(s string) { ParseSMTPURL(s) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { lineartest.Check(t, 2000, tt.gen, tt.run) })
	}
}
