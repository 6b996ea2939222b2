package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

const checkExample = `
mailtrail check --template testdata/work-order.md --data testdata/work-order.json`

// runCheck reports every problem of a template as file:line:col: message:
// syntax, unknown or unsupported tags, markup that sanitizing removes, raw
// HTML, and with --data the placeholders the sample data lacks. It exits 0
// when there is none, 1 otherwise.
func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "check", "--template T.md [--data D.json] [--locale L]", checkExample)
	var tpl, data, locale string
	fs.StringVar(&tpl, "template", "", "template file `T.md`")
	fs.StringVar(&data, "data", "", "sample data `D.json` (a JSON object): report placeholders it lacks")
	fs.StringVar(&locale, "locale", "", "check the variant for locale `L` (T.L.md, falling back to T.md)")
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
	r, err := render.New(nil)
	if err != nil {
		return err
	}
	if problems := r.Check(t, values); len(problems) > 0 {
		checkPrint(e, problems)
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
