package templates

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// hostileTemplates are templates of size about n built to trip
// super-linear code in the parser.
var hostileTemplates = []struct {
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

// TestParsers_linear proves by bytes allocated, not by time, that template
// and data file parsing grow linearly with hostile input.
func TestParsers_linear(t *testing.T) {
	for _, tt := range hostileTemplates {
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

// BenchmarkParse_hostile parses each hostile template at 10×, 100× and
// 1000× a base of 40 (the largest under the 1 MiB limit of a template):
// MB/s stays flat when the parser is linear.
func BenchmarkParse_hostile(b *testing.B) {
	for _, tt := range hostileTemplates {
		b.Run(strings.ReplaceAll(tt.name, " ", "_"), func(b *testing.B) {
			lineartest.Bench(b, 40, tt.gen, func(in []byte) int { return len(in) }, func(in []byte) { Parse("f.md", in) })
		})
	}
}

// TestParse_positionsOnALongLine: the parser counts columns from the last
// tag rather than from the line's start (which was quadratic on a long
// line of many tags); the positions are those counted from the start.
func TestParse_positionsOnALongLine(t *testing.T) {
	src := strings.Repeat("é {{a}} ✓ {{#s}}ü{{/s}} ", 200) + "\n" + strings.Repeat("{{b}}", 50) + " {{nope x}}"
	tpl, err := Parse("f.md", []byte(src))
	var errs ErrorList
	if !errors.As(err, &errs) || len(errs) != 1 {
		t.Fatalf("Parse() error = %v, want the one bad tag", err)
	}
	ref := newSource("f.md", src)
	if want := ref.pos(strings.Index(src, "{{nope")); errs[0].Line != want.Line || errs[0].Col != want.Col {
		t.Errorf("error at %d:%d, want %d:%d", errs[0].Line, errs[0].Col, want.Line, want.Col)
	}
	if tpl != nil {
		t.Fatalf("Parse() = %v with an error", tpl)
	}
	// The nodes of the same text without the bad tag.
	tpl, err = Parse("f.md", []byte(strings.TrimSuffix(src, " {{nope x}}")))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, node := range tpl.Body {
		var p Pos
		switch x := node.(type) {
		case *Var:
			p = x.Pos
		case *Section:
			p = x.Pos
		case *Text:
			p = x.Pos
		default:
			continue
		}
		if want := ref.pos(p.Offset); p != want {
			t.Errorf("node at offset %d: position %+v, want %+v", p.Offset, p, want)
		}
		n++
	}
	if n < 400 {
		t.Errorf("checked %d nodes, want the line's tags", n)
	}
}
