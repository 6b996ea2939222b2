package mailer

import (
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
	"github.com/mailtrail/mailtrail/render"
)

// TestParsers_linear proves by bytes allocated, not by time, that the
// mailer's parsers and encoders of the fuzz targets grow linearly with hostile
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
		{"formatAddress", func(n int) string { return strings.Repeat(`é "a" `, n) }, func(s string) { formatAddress(address{Name: s, Addr: "a@x.test"}) }},
		{"fileParam", func(n int) string { return strings.Repeat("é a;", n) + ".pdf" }, func(s string) { foldedValue("Content-Disposition", "attachment; "+fileParam("filename", s)) }},
		{"appendQP", func(n int) string { return strings.Repeat("é=\t \r\na", n) }, func(s string) { appendQP(nil, s) }},
		{"checkWire lines", func(n int) string { return strings.Repeat("a: b\r\n", n) }, func(s string) { checkWire([]byte(s)) }},
		{"checkWire long line", func(n int) string { return strings.Repeat("a", 8*n) }, func(s string) { checkWire([]byte(s)) }},
		{"buildBody", func(n int) string { return strings.Repeat("line é <b>x</b>\n", n) }, func(s string) {
			buildBody(&render.Parts{Text: s, HTML: s, JSON: []byte(`"` + s + `"`)}, JSONAlternative,
				[]file{{name: "f.bin", contentType: "application/octet-stream", data: []byte(s)}}, func(int) string { return "=_b" })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { lineartest.Check(t, 2000, tt.gen, tt.run) })
	}
}
