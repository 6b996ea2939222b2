package charset

import (
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// TestDecodeHeader_linear proves by bytes allocated, not by time, that
// decoding a header value grows linearly with hostile input.
func TestDecodeHeader_linear(t *testing.T) {
	tests := []struct {
		name string
		gen  func(n int) string
	}{
		{"encoded words", func(n int) string { return strings.Repeat("=?UTF-8?Q?=C3=A9?= ", n/2) }},
		{"base64 words", func(n int) string { return strings.Repeat("=?UTF-8?B?w6k=?=", n/2) }},
		{"unknown charset", func(n int) string { return strings.Repeat("=?x-nope?Q?a?= ", n/2) }},
		{"unclosed words", func(n int) string { return strings.Repeat("=?UTF-8?Q?", n) }},
		{"latin-1 bytes", func(n int) string { return strings.Repeat("R\xe9ponse ", n) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lineartest.Check(t, 2000, tt.gen, func(s string) { DecodeHeader(s) })
		})
	}
}
