package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/templates"
)

// scratchTemplates put placeholders everywhere a skeleton must carry them:
// URLs (inline links, images, autolinks, reference definitions, raw HTML
// attributes), headings, list items, sections (repeated, inverted, nested,
// in lists and tables), code, quotes, emphasis and the subject.
var scratchTemplates = map[string]string{
	"url inline":     "[track](https://x.example/t/{{id}}?q={{q}}&r={{r}}#{{frag}})\n",
	"url image":      "![{{alt}}](https://img.example/{{id}}.png \"{{title}}\")\n",
	"url autolink":   "<https://x.example/{{id}}> and www.{{host}}.example and {{user}}@x.example\n",
	"url reference":  "[one][ref] and [two][ref]\n\n[ref]: https://x.example/{{id}}?q={{q}} \"{{title}}\"\n",
	"url html attr":  "<a href=\"https://x.example/{{id}}\" title=\"{{title}}\">{{text}}</a>\n",
	"url whole":      "[link]({{url}}) and <{{url}}>\n",
	"heading atx":    "# {{h}}\n\n## {{h}} and {{q}}\n\n###### {{text}}\n",
	"heading setext": "{{h}}\n===\n\n{{text}} *{{q}}*\n---\n",
	"list items":     "- {{a}}\n- **{{b}}**\n  - nested {{text}}\n1. {{h}}\n2. [x](https://x/{{id}})\n",
	"section list":   "{{#items}}\n- {{name}} [x](https://x/{{id}}?q={{q}})\n{{/items}}\n{{^items}}none{{/items}}\n",
	"section inline": "Items: {{#items}}{{name}}, {{/items}}end.\n\n{{#flag}}# {{h}}{{/flag}}\n",
	"section nested": "{{#items}}\n## {{name}}\n\n{{#tags}}\n- {{.}}\n{{/tags}}\n{{/items}}\n",
	"section table":  "| name | id |\n|---|---|\n{{#items}}\n| {{name}} | `{{id}}` |\n{{/items}}\n",
	"code":           "`{{a}}` and\n\n```\n{{text}}\n{{b}}\n```\n\n    {{q}}\n",
	"quote":          "> {{text}}\n> - {{a}}\n>\n> # {{h}}\n",
	"emphasis":       "*{{a}}* **{{b}}** ~~{{q}}~~ _{{h}}_\n",
	"subject":        "---\nsubject: About {{h}} ({{q}})\n---\nBody {{text}}\n",
	"adjacent":       "{{a}}{{b}}{{q}}\n\n{{a}}\n{{b}}\n",
}

// scratchData are hostile and plain values for those templates: Markdown
// and HTML that must stay text, URL-breaking characters, line ends, empty
// values, sections of 0, 1 and 3 items (three skeleton shapes).
func scratchData() map[string]any {
	items := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"name": fmt.Sprintf("<i>n%d</i> *x*", i), "id": fmt.Sprintf("id %d/&", i), "q": "a=b&c", "tags": []any{"t|1", "**t2**"}}
		}
		return out
	}
	base := func(v string, n int) map[string]any {
		return map[string]any{
			"id": v, "q": v, "r": v, "frag": v, "alt": v, "title": v, "text": v, "host": v, "user": v,
			"url": v, "h": v, "a": v, "b": v, "name": v, "items": items(n), "flag": n > 0,
		}
	}
	out := map[string]any{}
	for name, v := range map[string]string{
		"plain":      "AB-123-CD",
		"markdown":   "*stars* **bold** [l](javascript:alert(1)) `tick` # not a heading",
		"html":       "<script>alert('x')</script><b>b</b>&amp; \"q\" 'a'",
		"url chars":  "a b/c?d=e&f#g%20\\",
		"lines":      "one\ntwo\r\n\n- three\n# four",
		"unicode":    "Zoé — Königstraße 😀",
		"empty":      "",
		"braces":     "{{x}} {{#s}}{{/s}}",
		"javascript": "javascript:alert(1)",
	} {
		for _, n := range []int{0, 1, 3} {
			out[fmt.Sprintf("%s, %d items", name, n)] = base(v, n)
		}
	}
	return out
}

// TestRender_cacheMatchesScratchEverywhere renders every scratch template
// with every scratch value through the cached skeletons (twice: the
// second round hits the cache) and from scratch, with the default layout,
// the workload's layout and the lenient renderer, and checks that the
// parts are byte for byte the same.
func TestRender_cacheMatchesScratchEverywhere(t *testing.T) {
	renderers := map[string]*Renderer{"workload layout": benchLayout(t)}
	for name, opts := range map[string]*Options{"default": nil, "lenient": {Lenient: true}} {
		r, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		renderers[name] = r
	}
	data := scratchData()
	for rname, r := range renderers {
		for tname, src := range scratchTemplates {
			tpl, err := templates.Parse(strings.ReplaceAll(tname, " ", "-")+".md", []byte(src))
			if err != nil {
				t.Fatalf("Parse(%s): %v", tname, err)
			}
			for dname, d := range data {
				t.Run(rname+"/"+tname+"/"+dname, func(t *testing.T) {
					for round := 0; round < 2; round++ {
						compareScratch(t, r, tpl, d)
					}
				})
			}
		}
		// Every testdata template and the workload with its records.
		for _, c := range loadCorpus(t) {
			t.Run(rname+"/corpus "+c.name, func(t *testing.T) {
				compareScratch(t, r, c.tpl, c.data)
				compareScratch(t, r, c.tpl, c.data)
			})
		}
		bench := benchTemplate(t)
		for i, rec := range benchRecords(30) {
			t.Run(fmt.Sprintf("%s/workload record %d", rname, i), func(t *testing.T) {
				compareScratch(t, r, bench, rec)
			})
		}
	}
}
