package reply

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestHostileInput feeds inputs built to trip super-linear code (deep
// nesting, many keys for the YAML decoder, long lines) to every reader of
// reply text. It asserts nothing about speed: the generous bound only
// keeps a regression (once, YAML took 27 s on 64 KiB) from hanging the
// test binary; BenchmarkStripQuote measures speed.
func TestHostileInput(t *testing.T) {
	n := 64 << 10
	inputs := map[string]string{
		"nested bq":    strings.Repeat("<blockquote>", n/12),
		"nested div":   strings.Repeat("<div>", n/5),
		"nested b":     strings.Repeat("<b>", n/3),
		"nested table": strings.Repeat("<table><tr><td>", n/15),
		"nested a":     strings.Repeat("<a>", n/3),
		"nested p i":   strings.Repeat("<p><i>", n/6),
		"long line":    strings.Repeat("a", n),
		"from lines":   strings.Repeat("From: x\n\n", n/9),
		"on lines":     strings.Repeat("On x\n", n/5),
		"quotes":       strings.Repeat(">\n", n/2),
		"sig":          strings.Repeat("--\n\n", n/4),
		"colons":       strings.Repeat("a@b 12:30:\n", n/11),
		"yaml":         strings.Repeat("- ", n/2),
		"yaml2":        strings.Repeat("[", n),
		"yaml3":        strings.Repeat("{a: ", n/4),
		"flow map":     "{" + strings.Repeat("a: 1, ", 2700) + "}",
		"flow map2":    "{" + strings.Repeat("a: [b, c], ", 1400) + "}",
		"anchors":      "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			done := make(chan struct{})
			go func() {
				defer close(done)
				StripQuote(in)
				HTMLText(in)
				StripSignature(in, "Bob Smith <bob@x.example>")
				textData(in)
			}()
			select {
			case <-done:
			case <-ctx.Done():
				t.Fatalf("%s (%d bytes) did not finish: super-linear?", name, len(in))
			}
		})
	}
}

func BenchmarkStripQuote(b *testing.B) {
	in := strings.Repeat("Hello there,\n\nOn Tue, Mar 3, 2026 at 9:00 AM Fleet <f@x.example> wrote:\n> quoted line\n", 200)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		StripQuote(in)
	}
}
