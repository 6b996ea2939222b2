package render

import (
	"strings"
	"testing"
)

// TestCheck_autolinks checks that an autolink sanitizing drops is reported
// like a Markdown link, and that safe ones are not.
func TestCheck_autolinks(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"javascript", "See <javascript:alert(1)> now", []string{"t.md:4:5: link URL javascript:alert(1) is removed by sanitizing (only http, https, mailto and relative URLs are kept)"}},
		{"vbscript upper case", "x <VBScript:msgbox>", []string{"t.md:4:3: link URL VBScript:msgbox is removed by sanitizing (only http, https, mailto and relative URLs are kept)"}},
		{"safe ones", "<https://x.example/{{id}}> <a@b.example> www.example.com <mailto:c@d.example>", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Check(parse(t, "---\nsubject: s\n---\n"+tc.body+"\n"), nil)
			var lines []string
			for _, e := range got {
				lines = append(lines, e.Error())
			}
			if strings.Join(lines, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("Check(%q) =\n%s\nwant\n%s", tc.body, strings.Join(lines, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
