package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/templates"
)

// The benchmarks of this file show what the per-message cost of the
// cached path grows with. Run them with
//
//	go test -run '^$' -bench 'Render_(data|tree|items)' -benchmem ./render
//
// data=K: every string value K times as long (same template, same parse
// tree): B/op follows the message size.
// tree=K: the workload template with K extra static blocks (a parse tree
// about K times as large, the same placeholders): allocs/op stays flat,
// since the static Markdown is in the skeleton.
// items=K: a section of K items, each a list item with three placeholders:
// the values written grow with K.

// scaleData returns v with every string repeated k times.
func scaleData(v any, k int) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for key, x := range v {
			out[key] = scaleData(x, k)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = scaleData(x, k)
		}
		return out
	case string:
		return strings.Repeat(v+" ", k-1) + v
	}
	return v
}

func benchRenderLoop(b *testing.B, r *Renderer, tpl *templates.Template, recs []any) {
	b.Helper()
	b.ReportAllocs()
	size := 0
	for i := 0; b.Loop(); i++ {
		p, err := r.Render(tpl, recs[i%len(recs)])
		if err != nil {
			b.Fatal(err)
		}
		size += len(p.HTML) + len(p.Text) + len(p.JSON)
	}
	b.ReportMetric(float64(size)/float64(b.N), "out-bytes/msg")
}

func BenchmarkRender_data(b *testing.B) {
	tpl := benchTemplate(b)
	for _, k := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("data=%dx", k), func(b *testing.B) {
			r := benchLayout(b)
			r.opts.MaxValueSize = 1 << 20
			recs := benchRecords(8)
			for i := range recs {
				recs[i] = scaleData(recs[i], k)
			}
			benchRenderLoop(b, r, tpl, recs)
		})
	}
}

func BenchmarkRender_tree(b *testing.B) {
	base := benchTemplate(b)
	static := "\n\n## Terms {{n}}\n\nA paragraph of *static* text with a [link](https://example.com/terms) and **bold** words.\n\n- one\n- two\n- three\n"
	for _, k := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("tree=%dx", k), func(b *testing.B) {
			var src strings.Builder
			src.WriteString(base.Source()) // front matter and body
			for i := 0; i < k-1; i++ {
				src.WriteString(strings.ReplaceAll(static, "{{n}}", fmt.Sprint(i)))
			}
			tpl, err := templates.Parse("tree.md", []byte(src.String()))
			if err != nil {
				b.Fatal(err)
			}
			benchRenderLoop(b, benchLayout(b), tpl, benchRecords(8))
		})
	}
}

func BenchmarkRender_items(b *testing.B) {
	tpl, err := templates.Parse("items.md", []byte("---\nsubject: Orders\n---\n# Orders\n\n{{#items}}\n- {{name}}: [{{id}}](https://x.example/o/{{id}}) {{note}}\n{{/items}}\n"))
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("items=%d", k), func(b *testing.B) {
			items := make([]any, k)
			for i := range items {
				items[i] = map[string]any{"name": fmt.Sprintf("Zoé %d", i), "id": fmt.Sprintf("o-%d", i), "note": "<b>*x*</b>"}
			}
			benchRenderLoop(b, benchLayout(b), tpl, []any{map[string]any{"items": items}})
		})
	}
}
