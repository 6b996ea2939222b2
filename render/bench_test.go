package render

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/templates"
)

// benchTemplate is the shared benchmark workload's template, with its
// subject line put into front matter.
func benchTemplate(t testing.TB) *templates.Template {
	t.Helper()
	body, err := os.ReadFile("testdata/bench/template.md")
	if err != nil {
		t.Fatal(err)
	}
	subject, err := os.ReadFile("testdata/bench/subject.txt")
	if err != nil {
		t.Fatal(err)
	}
	src := "---\nsubject: " + strings.TrimSpace(string(subject)) + "\n---\n" + string(body)
	tpl, err := templates.Parse("bench.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func benchLayout(t testing.TB) *Renderer {
	t.Helper()
	text, err := os.ReadFile("testdata/bench/layout.html")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseLayout("layout.html", string(text))
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(&Options{Layout: l})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// benchRecords makes n records shaped like the workload's gen_records.py:
// non-ASCII values, every 7th note with <b> and *stars*, every 13th with a
// <script>, data decoded as send --batch decodes it (json.Number).
func benchRecords(n int) []any {
	streets := []string{"Boulevard de l'Hôpital", "Rue de la Gaîté", "Königstraße", "Quai de la Rapée"}
	makes := [][2]string{{"Renault", "Kangoo"}, {"Citroën", "Berlingo"}, {"Škoda", "Octavia Combi"}}
	partners := []string{"Garage Müller & Fils", "Contrôle Technique Sud", "Dekra Porte d'Italie"}
	first := []string{"Zoé", "Jérôme", "Björn", "Marie-Hélène"}
	out := make([]any, n)
	for i := range out {
		note := "the spare key is at the reception desk."
		if i%7 == 3 {
			note = "<b>urgent</b>: the *stars* on the windscreen are stickers, not cracks — do not flag them."
		}
		if i%13 == 5 {
			note = "check the tyres <script>alert('x')</script> and the <i>lights</i>."
		}
		mk := makes[i%len(makes)]
		rec := fmt.Sprintf(`{"vehicle":{"id":"5f0c6b1e-8d2a-4c1b-9a77-%012d","plate_number":"AB-%03d-CD","make":%q,"model":%q,
"address":"%d %s, 75013 Paris","mileage_km":%d},"partner":{"name":%q,"phone":"+33 1 %02d %02d %02d %02d",
"contact":{"first_name":%q}},"appointment":{"date":"2026-%02d-%02d","slot":"08:30–10:00"},
"case":{"reference":"CASE-%06d","note":%q}}`,
			i, i%1000, mk[0], mk[1], i%200+1, streets[i%len(streets)], 1000+i*37, partners[i%len(partners)],
			i%100, (i*3)%100, (i*7)%100, (i*11)%100, first[i%len(first)], i%12+1, i%28+1, 100000+i, note)
		dec := json.NewDecoder(strings.NewReader(rec))
		dec.UseNumber()
		if err := dec.Decode(&out[i]); err != nil {
			panic(err)
		}
	}
	return out
}

// BenchmarkRender is the per-message render of the shared workload:
// subject, text, HTML in the bench layout, JSON.
func BenchmarkRender(b *testing.B) {
	r := benchLayout(b)
	tpl := benchTemplate(b)
	recs := benchRecords(64)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := r.Render(tpl, recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender_scratch is the same work without any cache: goldmark,
// bluemonday and the layout per message (the design rejected for speed).
func BenchmarkRender_scratch(b *testing.B) {
	r := benchLayout(b)
	tpl := benchTemplate(b)
	recs := benchRecords(64)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := r.render(tpl, recs[i%len(recs)], false, false); err != nil {
			b.Fatal(err)
		}
	}
}
