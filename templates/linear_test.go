package templates

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// TestParsers_linear proves by bytes allocated, not by time, that template
// and data file parsing grow linearly with hostile input.
func TestParsers_linear(t *testing.T) {
	tmpl := []struct {
		name string
		gen  func(n int) []byte
	}{
		{"placeholders", func(n int) []byte { return []byte(strings.Repeat("{{a.b}} ", n)) }},
		{"sections", func(n int) []byte { return []byte(strings.Repeat("{{#a}}x{{/a}}\n", n)) }},
		{"nested sections", func(n int) []byte {
			return []byte(strings.Repeat("{{#a}}", n/8) + strings.Repeat("{{/a}}", n/8))
		}},
		{"unclosed tags", func(n int) []byte { return []byte(strings.Repeat("{{", n)) }},
		{"long line", func(n int) []byte { return []byte("---\nsubject: s\n---\n" + strings.Repeat("a", 8*n)) }},
		{"many lines", func(n int) []byte { return []byte(strings.Repeat("a *b* [c](https://x)\n", n)) }},
		{"errors", func(n int) []byte { return []byte(strings.Repeat("{{nope x}}\n", n)) }},
	}
	for _, tt := range tmpl {
		t.Run("Parse "+tt.name, func(t *testing.T) {
			lineartest.Check(t, 1000, tt.gen, func(src []byte) { Parse("f.md", src) })
		})
	}
	data := []struct {
		name string
		gen  func(n int) []byte
	}{
		{"numbers", func(n int) []byte { return []byte(`{"a": [` + strings.Repeat("1234567, ", n) + `1]}`) }},
		{"keys", func(n int) []byte {
			var b strings.Builder
			b.WriteString("{")
			for i := range n {
				b.WriteString(`"k` + strings.Repeat("x", i%7) + strconv.Itoa(i) + `": "v", `)
			}
			b.WriteString(`"z": 1}`)
			return []byte(b.String())
		}},
		{"nesting", func(n int) []byte {
			return []byte(`{"a": ` + strings.Repeat("[", n/2) + strings.Repeat("]", n/2) + "}")
		}},
		{"error at the end", func(n int) []byte { return []byte(`{"a": "` + strings.Repeat("x\n", n) + `}`) }},
	}
	for _, tt := range data {
		t.Run("ParseData "+tt.name, func(t *testing.T) {
			lineartest.Check(t, 1000, tt.gen, func(b []byte) { ParseData("d.json", b) })
		})
	}
}
