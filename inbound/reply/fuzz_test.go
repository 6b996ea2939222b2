package reply

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mailtrail/mailtrail/inbound"
)

func FuzzReply(f *testing.F) {
	dir := filepath.Join(corpora, "email-reply-parser", "emails")
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil && len(b) < 64<<10 {
			f.Add(string(b), "")
		}
	}
	for _, pattern := range []string{"testdata/crisp/fixtures/*.txt", "testdata/email_reply_trimmer/emails/*.txt"} {
		seeds, _ := filepath.Glob(pattern)
		for _, name := range seeds {
			if b, err := os.ReadFile(name); err == nil {
				f.Add(string(b), "")
			}
		}
	}
	f.Add("Hi\n\nOn Mon, Jan 1, 2026 at 9:00 AM Bob <b@x.example>\nwrote:\n> q\n", "Bob <b@x.example>")
	f.Add("Bonjour\n\nLe 3 mars 2026, Fleet a écrit :\n> q\n-- \nsig", "")
	f.Add("status: done\n---\nfree text", "x@y.example")
	f.Fuzz(func(t *testing.T, text, sender string) {
		got := StripQuote(text)
		if len(got) > len(text) {
			t.Errorf("StripQuote grew the text: %d > %d bytes", len(got), len(text))
		}
		if utf8.ValidString(text) && !utf8.ValidString(got) {
			t.Errorf("StripQuote made invalid UTF-8 of valid input")
		}
		if strings.HasSuffix(got, " ") || strings.HasSuffix(got, "\n") {
			t.Errorf("StripQuote left trailing white space: %q", got)
		}
		body, sig := StripSignature(got, sender)
		if len(body)+len(sig) > len(got) {
			t.Errorf("StripSignature grew the text")
		}
		_ = HTMLText(text)
		_ = textData(got)
	})
}

// FuzzParse checks that any message read by inbound.Parse gives a reply
// in valid UTF-8 without panicking.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "testdata", "replies", "*.eml"))
	for _, name := range seeds {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("Subject: x\r\nContent-Type: text/html\r\n\r\n<p>hi</p>"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := inbound.ParseWith(bytes.NewReader(raw), &inbound.Options{MaxParts: 50})
		if err != nil {
			return
		}
		r := Parse(m)
		if !utf8.ValidString(r.Text) {
			t.Errorf("reply text is not UTF-8: %q", r.Text)
		}
	})
}
