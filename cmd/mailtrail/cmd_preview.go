package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

const previewExample = `
mailtrail preview --template testdata/vehicle-check.md --data testdata/vehicle-check.json
  mailtrail preview --template testdata/vehicle-check.md --data testdata/vehicle-check.json --locale fr --part html > out.html
  mailtrail preview --serve 127.0.0.1:8080 --templates testdata`

// runPreview renders a template with sample data and prints the subject and
// the text part, or one part; with --serve it runs the live preview.
func runPreview(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "preview", "--template T.md --data D.json [--locale L] [--part text|html|json|subject] [--layout FILE] [--brand FILE] | --serve ADDR --templates DIR", previewExample)
	var tpl, data, locale, part, layout, brand, serve, dir string
	var allowPublic, lenient bool
	var maxData int64
	dataSizeFlag(fs, &maxData)
	fs.StringVar(&tpl, "template", "", "template file `T.md` (its folder holds the locale variants)")
	fs.StringVar(&data, "data", "", "sample data `D.json`, a JSON object (default: T.json beside the template)")
	fs.StringVar(&locale, "locale", "", "template variant `L` such as fr (T.fr.md, falling back to T.md)")
	fs.StringVar(&part, "part", "", "print only this `PART`: text, html, json or subject")
	fs.StringVar(&layout, "layout", "", "HTML layout `FILE` (html/template, or {{body}}/{{subject}} slots); default: layout.html beside the templates")
	fs.StringVar(&brand, "brand", "", "brand `FILE` (YAML or JSON); default: brand.yaml beside the templates")
	fs.BoolVar(&lenient, "lenient", false, "render missing placeholders empty (listed on stderr) instead of failing")
	fs.StringVar(&serve, "serve", "", "serve a live preview on `ADDR` instead (e.g. 127.0.0.1:8080)")
	fs.StringVar(&dir, "templates", "", "with --serve: the templates `DIR`")
	fs.BoolVar(&allowPublic, "allow-public", false, "with --serve: allow a non-loopback address")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if serve != "" {
		if tpl != "" || data != "" || part != "" {
			return usagef("--serve takes --templates, --layout, --brand and --allow-public, not --template, --data or --part")
		}
		if dir == "" {
			dir = "."
		}
		layout, brand = lookFiles(dir, layout, brand)
		return previewServe(ctx, e, previewServeOptions{Addr: serve, TemplatesDir: dir, Layout: layout, Brand: brand, AllowPublic: allowPublic})
	}
	if tpl == "" {
		return usagef("missing --template")
	}
	switch part {
	case "", "text", "html", "json", "subject":
	default:
		return usagef("--part must be text, html, json or subject, not %q", part)
	}
	if data == "" {
		data = strings.TrimSuffix(tpl, ".md") + ".json"
		if _, err := os.Stat(data); err != nil {
			return usagef("missing --data (and no %s beside the template)", data)
		}
	}
	t, err := previewLoadTemplate(tpl, locale)
	if err != nil {
		return err
	}
	values, err := previewLoadData(data, maxData)
	if err != nil {
		return err
	}
	lt, b, err := loadLook(filepath.Dir(tpl), layout, brand)
	if err != nil {
		return err
	}
	r, err := render.New(&render.Options{Lenient: lenient, Layout: lt, Brand: b})
	if err != nil {
		return err
	}
	p, err := r.Render(t, values)
	if err != nil {
		return err
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(e.stderr, "warning: %v\n", w)
	}
	switch part {
	case "":
		fmt.Fprintf(e.stdout, "Subject: %s\n\n%s", p.Subject, p.Text)
	case "subject":
		fmt.Fprintln(e.stdout, p.Subject)
	case "text":
		io.WriteString(e.stdout, p.Text)
	case "html":
		io.WriteString(e.stdout, p.HTML)
	case "json":
		e.stdout.Write(p.JSON)
	}
	return nil
}

// previewLoadTemplate loads the template file path (its locale variant
// first) and names it in errors by the path the user typed.
func previewLoadTemplate(path, locale string) (*templates.Template, error) {
	if st, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	} else if st.IsDir() {
		return nil, fmt.Errorf("template %s is a folder, want a .md file", path)
	}
	dir, file := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	t, err := templates.Load(os.DirFS(dir), strings.TrimSuffix(file, ".md"), locale)
	var list templates.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			e.File = filepath.Join(dir, e.File)
		}
		return nil, list
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	if err != nil {
		return nil, err
	}
	t.File = filepath.Join(dir, t.File)
	return t, nil
}

// previewLoadData reads a JSON object with numbers kept as written, at
// most limit bytes.
func previewLoadData(path string, limit int64) (map[string]any, error) {
	return readDataFile(path, limit)
}
