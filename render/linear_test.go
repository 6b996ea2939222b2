package render

import (
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
	"github.com/mailtrail/mailtrail/templates"
)

// TestRender_linear proves by bytes allocated, not by time, that rendering
// and reading a brand file (the fuzz targets' functions) grow linearly
// with hostile templates, data and brands.
func TestRender_linear(t *testing.T) {
	r, err := New(&Options{Lenient: true})
	if err != nil {
		t.Fatal(err)
	}
	type input struct {
		tpl  *templates.Template
		data any
	}
	parse := func(src string, data any) input {
		tpl, err := templates.Parse("f.md", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return input{tpl, data}
	}
	shapes := []struct {
		name string
		gen  func(n int) input
	}{
		{"many placeholders", func(n int) input { return parse(strings.Repeat("{{a}} ", n), map[string]any{"a": "<b>*x*</b>"}) }},
		{"long value", func(n int) input { return parse("Hi {{a}}\n", map[string]any{"a": strings.Repeat("*x* [l](y) ", n)}) }},
		{"long list", func(n int) input {
			items := make([]any, n/4)
			for i := range items {
				items[i] = map[string]any{"n": "a&b"}
			}
			return parse("{{#items}}\n- {{n}} [x](https://x.example/{{n}})\n{{/items}}\n", map[string]any{"items": items})
		}},
		{"many paragraphs", func(n int) input { return parse(strings.Repeat("a **b** `c`\n\n", n/4), map[string]any{}) }},
		{"nested quotes", func(n int) input { return parse(strings.Repeat("> ", n/8)+"x\n", map[string]any{}) }},
	}
	for _, tt := range shapes {
		// The first render of a template prepares it (goldmark, the
		// sanitizer); later ones reuse that from the Renderer's cache.
		t.Run("Render first "+tt.name, func(t *testing.T) {
			lineartest.Check(t, 1000, tt.gen, func(in input) {
				r, err := New(&Options{Lenient: true})
				if err != nil {
					t.Fatal(err)
				}
				r.Render(in.tpl, in.data)
			})
		})
		t.Run("Render cached "+tt.name, func(t *testing.T) {
			warm := func(n int) input {
				in := tt.gen(n)
				r.Render(in.tpl, in.data)
				return in
			}
			// Small enough for the skeleton to be cached at both sizes
			// (larger ones are rendered as the first time).
			lineartest.Check(t, 200, warm, func(in input) { r.Render(in.tpl, in.data) })
		})
	}
	brands := []struct {
		name string
		gen  func(n int) string
	}{
		{"long footer", func(n int) string { return "name: Acme\nfooter: " + strings.Repeat("a ", 4*n) + "\n" }},
		{"many footers", func(n int) string {
			var b strings.Builder
			b.WriteString("name: Acme\nfooter:\n")
			for i := range n / 4 {
				b.WriteString("  l" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + ": text\n")
			}
			return b.String()
		}},
		{"aliases", func(n int) string {
			return "x: &a [" + strings.Repeat("y, ", n/4) + "y]\n" + strings.Repeat("k: *a\n", n/16)
		}},
	}
	for _, tt := range brands {
		t.Run("ParseBrand "+tt.name, func(t *testing.T) {
			lineartest.Check(t, 1000, tt.gen, func(src string) { ParseBrand("brand.yaml", []byte(src)) })
		})
	}
}
