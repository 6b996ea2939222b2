package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// corpus is every realistic template of the repository with its sample data:
// ../testdata/NAME.md (and NAME.LOCALE.md) with ../testdata/NAME.json.
type corpusCase struct {
	name string
	tpl  *templates.Template
	data any
}

func loadCorpus(t testing.TB) []corpusCase {
	t.Helper()
	files, err := filepath.Glob("../testdata/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates in ../testdata: %v", err)
	}
	var out []corpusCase
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		tpl, err := templates.Parse(filepath.Base(file), src)
		if err != nil {
			t.Fatalf("Parse(%s): %v", file, err)
		}
		data := readJSON(t, filepath.Join("../testdata", tpl.Name+".json"))
		out = append(out, corpusCase{strings.TrimSuffix(filepath.Base(file), ".md"), tpl, data})
	}
	out = append(out, corpusCase{"bench", benchTemplate(t), benchRecords(1)[0]})
	return out
}

func readJSON(t testing.TB, file string) any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return v
}

func TestRender_golden(t *testing.T) {
	r, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range loadCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			p, err := r.Render(c.tpl, c.data)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			for ext, got := range map[string]string{
				".subject.txt": p.Subject + "\n",
				".txt":         p.Text,
				".html":        p.HTML,
				".json":        string(p.JSON),
			} {
				golden(t, filepath.Join("testdata", "golden", c.name+ext), got)
			}
		})
	}
}

func golden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update and review the diff):\ngot:\n%s\nwant:\n%s", file, got, want)
	}
}

// TestRender_cacheMatchesScratch proves that the cached skeletons and the
// layout skeleton give byte for byte what rendering from scratch gives.
func TestRender_cacheMatchesScratch(t *testing.T) {
	r, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := loadCorpus(t)
	for _, rec := range benchRecords(30) {
		cases = append(cases, corpusCase{"bench-record", cases[len(cases)-1].tpl, rec})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for round := 0; round < 2; round++ { // second round hits the cache
				compareScratch(t, r, c.tpl, c.data)
			}
		})
	}
}

func compareScratch(t testing.TB, r *Renderer, tpl *templates.Template, data any) {
	t.Helper()
	got, err1 := r.Render(tpl, data)
	want, err2 := r.render(tpl, data, false, r.opts.Lenient)
	if (err1 == nil) != (err2 == nil) {
		t.Fatalf("Render error %v, from scratch %v", err1, err2)
	}
	if err1 != nil {
		if err1.Error() != err2.Error() {
			t.Fatalf("Render error %q, from scratch %q", err1, err2)
		}
		return
	}
	if got.Subject != want.Subject || got.Text != want.Text || got.HTML != want.HTML || !bytes.Equal(got.JSON, want.JSON) {
		t.Fatalf("cached render differs from scratch\ncached HTML:\n%s\nscratch HTML:\n%s\ncached text:\n%s\nscratch text:\n%s", got.HTML, want.HTML, got.Text, want.Text)
	}
}
