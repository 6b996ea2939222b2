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
	fs := newFlags(e, "check", "--template T.md [--data D.json] [--locale L] [--layout FILE] [--brand FILE]", checkExample)
	var tpl, data, locale, layout, brand string
	fs.StringVar(&tpl, "template", "", "template file `T.md`")
	fs.StringVar(&data, "data", "", "sample data `D.json` (a JSON object): report placeholders it lacks")
	fs.StringVar(&locale, "locale", "", "check the variant for locale `L` (T.L.md, falling back to T.md)")
	fs.StringVar(&layout, "layout", "", "HTML layout `FILE`; default: layout.html beside the template, else the built-in one")
	fs.StringVar(&brand, "brand", "", "brand `FILE` (YAML or JSON); default: brand.yaml beside the template")
	var maxData int64
	dataSizeFlag(fs, &maxData)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if tpl == "" {
		return usagef("missing --template")
	}
	t, err := previewLoadTemplate(tpl, locale)
	var list templates.ErrorList
	if errors.As(err, &list) {
		checkPrint(e, list)
		return &exitError{code: 1}
	}
	if err != nil {
		return err
	}
	var values any
	if data != "" {
		m, err := previewLoadData(data, maxData)
		if err != nil {
			return err
		}
		values = m
	}
	dir := filepath.Dir(tpl)
	lt, b, err := loadLook(dir, layout, brand)
	if err != nil {
		return err
	}
	r, err := render.New(&render.Options{Layout: lt, Brand: b})
	if err != nil {
		return err
	}
	problems := r.Check(t, values)
	checkPrint(e, problems)
	warnings := r.Warnings(t, values)
	if layoutFile, _ := lookFiles(dir, layout, brand); layoutFile != "" {
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
	if len(problems) > 0 {
		return &exitError{code: 1}
	}
	fmt.Fprintf(e.stdout, "%s: ok\n", t.File)
	return nil
}

func checkPrint(e *env, list templates.ErrorList) {
	for _, p := range list {
		fmt.Fprintln(e.stdout, p.Error())
	}
}
