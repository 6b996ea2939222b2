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
	o, err := previewParse(e, args)
	if err != nil {
		return err
	}
	if o.serve.Addr != "" {
		return previewServe(ctx, e, o.serve)
	}
	p, err := previewRender(o)
	if err != nil {
		return err
	}
	previewPrint(e, p, o.part)
	return nil
}

// previewOptions are preview's flags.
type previewOptions struct {
	template, data, locale, part, layout, brand string
	lenient                                     bool
	maxData                                     int64
	serve                                       previewServeOptions // Addr is "" without --serve
}

const previewUsage = "--template T.md --data D.json [--locale L] [--part text|html|json|subject] [--layout FILE] [--brand FILE] | --serve ADDR --templates DIR"

// previewParse reads preview's flags and checks them.
func previewParse(e *env, args []string) (*previewOptions, error) {
	var o previewOptions
	fs := newFlags(e, "preview", previewUsage, previewExample)
	dataSizeFlag(fs, &o.maxData)
	fs.StringVar(&o.template, "template", "", "template file `T.md` (its folder holds the locale variants)")
	fs.StringVar(&o.data, "data", "", "sample data `D.json`, a JSON object (default: T.json beside the template)")
	fs.StringVar(&o.locale, "locale", "", "template variant `L` such as fr (T.fr.md, falling back to T.md)")
	fs.StringVar(&o.part, "part", "", "print only this `PART`: text, html, json or subject")
	fs.StringVar(&o.layout, "layout", "", "HTML layout `FILE` (html/template, or {{body}}/{{subject}} slots); default: layout.html beside the templates")
	fs.StringVar(&o.brand, "brand", "", "brand `FILE` (YAML or JSON); default: brand.yaml beside the templates")
	fs.BoolVar(&o.lenient, "lenient", false, "render missing placeholders empty (listed on stderr) instead of failing")
	fs.StringVar(&o.serve.Addr, "serve", "", "serve a live preview on `ADDR` instead (e.g. 127.0.0.1:8080)")
	fs.StringVar(&o.serve.TemplatesDir, "templates", "", "with --serve: the templates `DIR`")
	fs.BoolVar(&o.serve.AllowPublic, "allow-public", false, "with --serve: allow a non-loopback address")
	if err := parseArgs(fs, args, 0); err != nil {
		return nil, err
	}
	if o.serve.Addr != "" {
		return &o, previewCheckServe(&o)
	}
	return &o, previewCheck(&o)
}

// previewCheckServe checks the flags of --serve and finds the layout and
// brand files of the templates folder.
func previewCheckServe(o *previewOptions) error {
	if o.template != "" || o.data != "" || o.part != "" {
		return usagef("--serve takes --templates, --layout, --brand and --allow-public, not --template, --data or --part")
	}
	if o.serve.TemplatesDir == "" {
		o.serve.TemplatesDir = "."
	}
	o.serve.Layout, o.serve.Brand = lookFiles(o.serve.TemplatesDir, o.layout, o.brand)
	return nil
}

// previewCheck checks the flags of one preview; without --data it takes
// T.json beside the template.
func previewCheck(o *previewOptions) error {
	if o.template == "" {
		return usagef("missing --template")
	}
	switch o.part {
	case "", "text", "html", "json", "subject":
	default:
		return usagef("--part must be text, html, json or subject, not %q", o.part)
	}
	if o.data == "" {
		o.data = strings.TrimSuffix(o.template, ".md") + ".json"
		if _, err := os.Stat(o.data); err != nil {
			return usagef("missing --data (and no %s beside the template)", o.data)
		}
	}
	return nil
}

// previewRender renders the template of o with its sample data.
func previewRender(o *previewOptions) (*render.Parts, error) {
	t, err := previewLoadTemplate(o.template, o.locale)
	if err != nil {
		return nil, err
	}
	values, err := previewLoadData(o.data, o.maxData)
	if err != nil {
		return nil, err
	}
	lt, b, err := loadLook(filepath.Dir(o.template), o.layout, o.brand)
	if err != nil {
		return nil, err
	}
	r, err := render.New(&render.Options{Lenient: o.lenient, Layout: lt, Brand: b})
	if err != nil {
		return nil, err
	}
	return r.Render(t, values)
}

// previewPrint prints the warnings on standard error, and the subject and
// text part, or only part, on standard output.
func previewPrint(e *env, p *render.Parts, part string) {
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
