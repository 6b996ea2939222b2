package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

const checkExample = `
mailtrail check --template testdata/work-order.md --data testdata/work-order.json
  mailtrail check --template testdata/branded/invoice.md --data testdata/branded/invoice.json --layout my-layout.html   # warnings: file: warning: …`

// runCheck reports every problem of a template as file:line:col: message:
// syntax, unknown or unsupported tags, markup that sanitizing removes, raw
// HTML, and with --data the placeholders the sample data lacks. It exits 0
// when there is none, 1 otherwise. Warnings (images without alt text, an
// HTML part Gmail clips, a message that is mostly images, layout CSS that
// major clients drop) print as "file: warning: …" and do not change the
// exit code.
func runCheck(ctx context.Context, e *env, args []string) error {
	o, err := checkParse(e, args)
	if err != nil {
		return err
	}
	t, err := previewLoadTemplate(o.template, o.locale)
	var list templates.ErrorList
	if errors.As(err, &list) {
		checkPrint(e, list)
		return &exitError{code: 1}
	}
	if err != nil {
		return err
	}
	r, values, err := checkRenderer(o)
	if err != nil {
		return err
	}
	problems := r.Check(t, values)
	checkPrint(e, problems)
	if err := checkWarnings(e, o, r, t, values); err != nil {
		return err
	}
	if len(problems) > 0 {
		return &exitError{code: 1}
	}
	fmt.Fprintf(e.stdout, "%s: ok\n", t.File)
	return nil
}

// checkOptions are check's flags.
type checkOptions struct {
	template, data, locale, layout, brand string
	maxData                               int64
}

// checkParse reads check's flags.
func checkParse(e *env, args []string) (*checkOptions, error) {
	var o checkOptions
	fs := newFlags(e, "check", "--template T.md [--data D.json] [--locale L] [--layout FILE] [--brand FILE]", checkExample)
	fs.StringVar(&o.template, "template", "", "template file `T.md`")
	fs.StringVar(&o.data, "data", "", "sample data `D.json` (a JSON object): report placeholders it lacks")
	fs.StringVar(&o.locale, "locale", "", "check the variant for locale `L` (T.L.md, falling back to T.md)")
	fs.StringVar(&o.layout, "layout", "", "HTML layout `FILE`; default: layout.html beside the template, else the built-in one")
	fs.StringVar(&o.brand, "brand", "", "brand `FILE` (YAML or JSON); default: brand.yaml beside the template")
	dataSizeFlag(fs, &o.maxData)
	if err := parseArgs(fs, args, 0); err != nil {
		return nil, err
	}
	if o.template == "" {
		return nil, usagef("missing --template")
	}
	return &o, nil
}

// checkRenderer reads the sample data (nil without --data) and makes the
// renderer of the template's layout and brand.
func checkRenderer(o *checkOptions) (*render.Renderer, any, error) {
	var values any
	if o.data != "" {
		m, err := previewLoadData(o.data, o.maxData)
		if err != nil {
			return nil, nil, err
		}
		values = m
	}
	lt, b, err := loadLook(filepath.Dir(o.template), o.layout, o.brand)
	if err != nil {
		return nil, nil, err
	}
	r, err := render.New(&render.Options{Layout: lt, Brand: b})
	if err != nil {
		return nil, nil, err
	}
	return r, values, nil
}

// checkWarnings prints the warnings of the template and of its layout
// file as "file: warning: …" or "file:line:col: warning: …".
func checkWarnings(e *env, o *checkOptions, r *render.Renderer, t *templates.Template, values any) error {
	warnings := r.Warnings(t, values)
	if layoutFile, _ := lookFiles(filepath.Dir(o.template), o.layout, o.brand); layoutFile != "" {
		src, err := os.ReadFile(layoutFile)
		if err != nil {
			return fmt.Errorf("layout: %w", err)
		}
		warnings = append(warnings, render.LayoutWarnings(layoutFile, string(src))...)
	}
	for _, w := range warnings {
		if w.Line == 0 {
			fmt.Fprintf(e.stdout, "%s: warning: %s\n", w.File, w.Msg)
		} else {
			fmt.Fprintf(e.stdout, "%s:%d:%d: warning: %s\n", w.File, w.Line, w.Col, w.Msg)
		}
	}
	return nil
}

func checkPrint(e *env, list templates.ErrorList) {
	for _, p := range list {
		fmt.Fprintln(e.stdout, p.Error())
	}
}
