package reply

import (
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// TestReplyText_linear proves by bytes allocated that the readers of a
// reply's text (the functions of FuzzReply) grow linearly.
func TestReplyText_linear(t *testing.T) {
	shapes := []struct {
		name string
		gen  func(n int) string
	}{
		{"quote lines", func(n int) string { return "Hi\n\n" + strings.Repeat("> q\n", n) }},
		{"on lines", func(n int) string { return strings.Repeat("On x\n", n) }},
		{"long line", func(n int) string { return strings.Repeat("a", 8*n) }},
		{"nested html", func(n int) string { return strings.Repeat("<div><b>", n/2) }},
		{"signature dashes", func(n int) string { return strings.Repeat("--\n\n", n) }},
	}
	for _, tt := range shapes {
		t.Run(tt.name, func(t *testing.T) {
			lineartest.Check(t, 1000, tt.gen, func(s string) {
				StripSignature(StripQuote(s), "Bob <b@x.example>")
				HTMLText(s)
			})
		})
	}
}
