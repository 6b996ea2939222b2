package render

import (
	"strings"
	"testing"
)

// TestRender_textForm pins down how Markdown reads in the text part.
func TestRender_textForm(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"setext heading", "Title\n=====\n", "# Title\n"},
		{"atx heading", "## Sub {#id}\n", "## Sub {#id}\n"},
		{"hard breaks", "one  \ntwo\\\nthree\n", "one\ntwo\nthree\n"},
		{"ordered and nested", "3. a\n4. b\n   - nested *x*\n   - __strong__ _em_\n", "3. a\n4. b\n   - nested *x*\n   - __strong__ _em_\n"},
		{"loose list", "- loose\n\n- list\n", "- loose\n\n- list\n"},
		{"blockquote", "> q1\n>\n> q2\n", "> q1\n>\n> q2\n"},
		{"links", "[ref link][r] <https://auto.example/x> <me@x.example> www.example.com\n\n[r]: https://ref.example/ \"T\"\n",
			"ref link (https://ref.example/) https://auto.example/x me@x.example www.example.com\n"},
		{"link text equals url", "[https://x.example/](https://x.example/)\n", "https://x.example/\n"},
		{"unsafe link shows text only", "[click](javascript:alert(1))\n", "click\n"},
		{"image is its alt", "![alt text](https://i.example/p.png)\n", "alt text\n"},
		{"entities and escapes", "&copy; &amp; &#65; \\_not em\\_ ~~gone~~\n", "© & A _not em_ ~~gone~~\n"},
		{"raw html dropped", "a <b>b</b> c\n\n<div>\nblock\n</div>\n\nd\n", "a b c\n\nd\n"},
		{"indented code", "    code *x*\n", "    code *x*\n"},
		{"fenced code", "```sh\necho *x*\n```\n", "```sh\necho *x*\n```\n"},
		{"code span", "use `a*b`\n", "use `a*b`\n"},
		{"thematic break", "a\n\n***\n\nb\n", "a\n\n---\n\nb\n"},
		{"table", "| a | b |\n|:--|--:|\n| 1 | 2 |\n", "| a | b |\n| --- | --- |\n| 1 | 2 |\n"},
		{"empty", "", ""},
	}
	r := newRenderer(t, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := r.Render(parse(t, tc.src), nil)
			if err != nil {
				t.Fatal(err)
			}
			if p.Text != tc.want {
				t.Errorf("Text of %q =\n%q\nwant\n%q", tc.src, p.Text, tc.want)
			}
		})
	}
}

func TestRender_literalBraces(t *testing.T) {
	p, err := newRenderer(t, nil).Render(parse(t, "Use &#123;{name}} in templates.\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Text != "Use {{name}} in templates.\n" || !strings.Contains(p.HTML, "Use {{name}} in templates.") {
		t.Errorf("Text %q HTML %q", p.Text, body(p.HTML))
	}
}
