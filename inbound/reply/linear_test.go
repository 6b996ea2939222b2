package reply

import (
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/inbound"
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

// TestParse_linear: what a partner wrote, read from a whole message.
func TestParse_linear(t *testing.T) {
	msg := func(contentType, body string) *inbound.Message {
		m, err := inbound.Parse(strings.NewReader("From: Bob <b@x.example>\r\nContent-Type: " + contentType + "\r\n\r\n" + body))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	shapes := []struct {
		name string
		gen  func(n int) *inbound.Message
	}{
		{"quoted text", func(n int) *inbound.Message { return msg("text/plain", "Fine.\r\n\r\n"+strings.Repeat("> q\r\n", n)) }},
		{"nested html", func(n int) *inbound.Message {
			return msg("text/html", strings.Repeat("<div><blockquote>", n/4)+"x")
		}},
		{"data lines", func(n int) *inbound.Message {
			return msg("text/plain", strings.Repeat("plate: AB-123\r\n", n/2))
		}},
	}
	for _, tt := range shapes {
		t.Run(tt.name, func(t *testing.T) {
			lineartest.Check(t, 1000, tt.gen, func(m *inbound.Message) { Parse(m) })
		})
	}
}
