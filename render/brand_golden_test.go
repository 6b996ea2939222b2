package render

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mailtrail/mailtrail/templates"
)

// TestRender_brandGolden renders ../testdata/branded/invoice.md in each
// built-in locale with the default layout, with and without the brand of
// that folder, into testdata/golden/branded/ (-update rewrites them).
func TestRender_brandGolden(t *testing.T) {
	brand, err := LoadBrand("../testdata/branded/brand.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data := readJSON(t, "../testdata/branded/invoice.json")
	fsys := os.DirFS("../testdata/branded")
	for _, look := range []struct {
		name  string
		brand *Brand
	}{{"plain", nil}, {"brand", brand}} {
		r := newRenderer(t, &Options{Brand: look.brand})
		for _, locale := range []string{"en", "fr", "de", "es"} {
			t.Run(look.name+"."+locale, func(t *testing.T) {
				loc := locale
				if loc == "en" {
					loc = "" // the base template is English
				}
				tpl, err := templates.Load(fsys, "invoice", loc)
				if err != nil {
					t.Fatal(err)
				}
				p, err := r.Render(tpl, data)
				if err != nil {
					t.Fatal(err)
				}
				base := filepath.Join("testdata", "golden", "branded", "invoice."+locale+"."+look.name)
				golden(t, base+".html", p.HTML)
				golden(t, base+".txt", p.Text)
				golden(t, base+".preheader.txt", p.Preheader+"\n")
			})
		}
	}
}
