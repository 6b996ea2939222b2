package render_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

func ExampleNew() {
	layout, err := render.ParseLayout("plain.html", `<html><body>{{body}}</body></html>`)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := render.New(&render.Options{Layout: layout, InlineCSS: map[string]string{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	t, _ := templates.Parse("hi.md", []byte("Hello **{{name}}**"))
	parts, err := r.Render(t, map[string]any{"name": "<Ana>"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(parts.HTML)
	fmt.Print(parts.Text)
	// Output:
	// <html><body><p>Hello <strong>&lt;Ana&gt;</strong></p>
	// </body></html>
	// Hello **<Ana>**
}

func ExampleParseLayout() {
	layout, err := render.ParseLayout("layout.html",
		`<html lang="{{.Lang}}"><title>{{subject}}</title><style>p { margin: 0 }</style><body>{{body}}</body></html>`)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, _ := render.New(&render.Options{Layout: layout})
	t, _ := templates.Parse("hi.md", []byte("---\nsubject: Hi {{name}}\n---\nHello {{name}}"))
	parts, _ := r.Render(t, map[string]any{"name": "Ana"})
	fmt.Println(strings.Contains(parts.HTML, "<title>Hi Ana</title>"))
	fmt.Println(strings.Contains(parts.HTML, `<p style="margin:0">Hello Ana</p>`))

	_, err = render.ParseLayout("bad.html", `<body>{{.Body</body>`)
	fmt.Println(err != nil)
	// Output:
	// true
	// true
	// true
}

func ExampleDefaultLayout() {
	r, _ := render.New(&render.Options{Layout: render.DefaultLayout(), Brand: &render.Brand{Name: "Fleet desk"}})
	t, _ := templates.Parse("hi.md", []byte("---\nsubject: Hi\n---\nHello"))
	parts, _ := r.Render(t, nil)
	fmt.Println(strings.HasPrefix(parts.HTML, "<!doctype html>") || strings.HasPrefix(parts.HTML, "<!DOCTYPE html>"))
	fmt.Println(strings.Contains(parts.HTML, "Fleet desk"))
	// Output:
	// true
	// true
}

func ExampleDefaultInlineCSS() {
	css := render.DefaultInlineCSS()
	_, hasP := css["p"]
	_, hasA := css["a"]
	fmt.Println(hasP, hasA)
	// Output: true true
}

func ExampleParseBrand() {
	b, err := render.ParseBrand("brand.yaml", []byte("name: Fleet desk\ncolor: \"#0a7d32\"\nfooter:\n  en: Sent by the fleet desk\n  fr: Envoyé par le service flotte\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.Name, b.Color, b.Footer["fr"])

	_, err = render.ParseBrand("brand.yaml", []byte("name: Fleet desk\nlogo: http://fleet.example.com/logo.png\n"))
	fmt.Println(errors.Is(err, render.ErrBadBrand))
	fmt.Println(err)
	// Output:
	// Fleet desk #0a7d32 Envoyé par le service flotte
	// true
	// brand.yaml:2:7: logo: want an https URL such as https://example.com/…, not "http://fleet.example.com/logo.png"
}

func ExampleLoadBrand() {
	dir, err := os.MkdirTemp("", "brand")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "brand.json")
	if err := os.WriteFile(path, []byte(`{"name": "Fleet desk", "unsubscribe": "https://fleet.example.com/u"}`), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	b, err := render.LoadBrand(path)
	fmt.Println(b.Name, b.Unsubscribe, err)
	// Output: Fleet desk https://fleet.example.com/u <nil>
}
