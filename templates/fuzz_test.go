package templates

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"Hello {{name}}", "{{#a}}{{b}}{{/a}}", "{{^a}}x{{/a}}", "{{! c }}", "{{> p}}", "{{=<% %>=}}",
		"---\nsubject: {{s}}\n---\nbody", "{{#a}}\n  {{/b}}", "{{{x}}}", "{{&x}}", "{{", "}}", "\xff",
		"{{#a}}{{#a}}{{/a}}", "  {{#a}}\r\n{{/a}}\r\n", "{{a.0.b}}",
	} {
		f.Add([]byte(s))
	}
	for _, dir := range []string{"../testdata", "testdata"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		tpl, err := Parse("f.md", src)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("Parse error %v is not a non-empty ErrorList", err)
			}
			for _, e := range list {
				if e.Line < 1 || e.Col < 1 || !strings.HasPrefix(e.Error(), "f.md:") {
					t.Fatalf("bad position in %q", e.Error())
				}
			}
			return
		}
		// An expansion with no data must not fail or panic.
		var h htmlHandler
		if err := Execute(tpl.Body, map[string]any{}, &h); err != nil {
			t.Fatal(err)
		}
		if tpl.Subject != nil {
			if err := Execute(tpl.Subject, nil, &h); err != nil {
				t.Fatal(err)
			}
		}
	})
}
