package render

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/templates"
)

// FuzzRender renders template × data and checks the invariants: no panic,
// the cached path equals the from-scratch path byte for byte, no sentinel
// leaks, no CR or LF in the subject, and the JSON part parses.
func FuzzRender(f *testing.F) {
	seeds := []struct{ tpl, data string }{
		{"[track](https://x.example/t/{{id}})", `{"id":"a b/c"}`},
		{"# {{h}}\n\n- {{a}}\n- {{b}}\n", `{"h":"<h>","a":"*x*","b":"[l](javascript:x)"}`},
		{"{{#items}}\n- {{name}} [x](https://x/{{id}}?q={{q}})\n{{/items}}\n{{^items}}none{{/items}}", `{"items":[{"name":"a","id":"1","q":"&"},{"name":"b","id":"2","q":"="}]}`},
		{"---\nsubject: S {{s}}\n---\n| a | b |\n|---|---|\n| {{x}} | `{{y}}` |\n", `{"s":"subj","x":"|","y":"` + "`" + `"}`},
		{"![{{alt}}]({{src}}) <{{u}}> www.{{d}}.com {{e}}@x.example", `{"alt":"\"","src":"javascript:x","u":"http://x","d":"d","e":"me"}`},
		{"```\n{{code}}\n```\n> {{q}}\n", `{"code":"a\nb","q":"c\nd"}`},
		{"<a href=\"{{x}}\">{{y}}</a> [r][ref] [s][ref]\n\n[ref]: https://x/{{z}}\n", `{"x":"1","y":"2","z":"3"}`},
		{"{{a.0.b}} {{n}} {{f}}", `{"a":[{"b":9007199254740993}],"n":1234567,"f":1.5}`},
	}
	for _, s := range seeds {
		f.Add([]byte(s.tpl), []byte(s.data))
	}
	files, _ := filepath.Glob("../testdata/*.md")
	for _, file := range files {
		src, _ := os.ReadFile(file)
		name := strings.SplitN(filepath.Base(file), ".", 2)[0]
		data, _ := os.ReadFile(filepath.Join("../testdata", name+".json"))
		f.Add(src, data)
	}
	r, err := New(&Options{Lenient: true, MaxOutputSize: 1 << 20, MaxValueSize: 1 << 16})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src, raw []byte) {
		tpl, err := templates.Parse("f.md", src)
		if err != nil {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var data any
		if dec.Decode(&data) != nil {
			data = map[string]any{}
		}
		got, err1 := r.Render(tpl, data)
		want, err2 := r.render(tpl, data, false, true)
		if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
			t.Fatalf("Render error %v, scratch %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		if got.Subject != want.Subject || got.Text != want.Text || got.HTML != want.HTML || !bytes.Equal(got.JSON, want.JSON) {
			t.Fatalf("cached render differs from scratch:\n%q\n%q\n%q\n%q", got.HTML, want.HTML, got.Text, want.Text)
		}
		prefix := r.prepare(tpl).prefix
		if strings.Contains(got.HTML, prefix) || strings.Contains(got.Text, prefix) {
			t.Fatalf("sentinel leaked:\n%s\n%s", got.HTML, got.Text)
		}
		if strings.ContainsAny(got.Subject, "\r\n\x00") {
			t.Fatalf("subject %q has CR, LF or NUL", got.Subject)
		}
		if !json.Valid(got.JSON) {
			t.Fatalf("invalid JSON part %s", got.JSON)
		}
		_ = r.Check(tpl, data)
	})
}
