package render

import (
	_ "embed"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strings"
)

// LayoutData is what a layout is executed with.
type LayoutData struct {
	Lang    string            // the template's locale, such as "fr"; "" for a base template
	Subject string            // the rendered subject (html/template escapes it)
	Body    htmltemplate.HTML // the sanitized body
	Brand   string            // Options.Brand
	LogoURL string            // Options.LogoURL
	Footer  string            // Options.Footer
}

//go:embed layout.html
var defaultLayout string

// DefaultLayout returns the embedded layout: a centred 600px card with a
// header (logo image when LogoURL is set, else the brand name), the body and
// a footer, styled by a <style> block and inline styles.
func DefaultLayout() *htmltemplate.Template {
	return htmltemplate.Must(htmltemplate.New("layout.html").Parse(defaultLayout))
}

var slotForm = regexp.MustCompile(`\{\{\s*(body|subject)\s*\}\}`)

// ParseLayout parses a layout from text. It accepts html/template syntax
// with LayoutData fields ({{.Body}}, {{.Subject}}) and also the slot form
// {{body}} / {{subject}}, which it rewrites to those actions. The layout is
// trusted: it may hold any HTML and CSS.
func ParseLayout(name, text string) (*htmltemplate.Template, error) {
	text = slotForm.ReplaceAllStringFunc(text, func(m string) string {
		if strings.Contains(m, "body") {
			return "{{.Body}}"
		}
		return "{{.Subject}}"
	})
	t, err := htmltemplate.New(name).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("render: layout: %w", err)
	}
	return t, nil
}

// layout is an executed layout split at the body and the subject. When the
// split cannot be trusted to give the same bytes as executing the layout
// (the subject used outside HTML text, or conditionally), fast is false and
// each message executes the layout.
type layout struct {
	t     *htmltemplate.Template
	base  LayoutData
	parts chunks // slot val 0 = body, 1 = subject
	fast  bool
}

const (
	bodySentinel    = "MTLAYOUTBODY0x"
	subjectSentinel = "MTLAYOUTSUBJECT0x"
)

func newLayout(t *htmltemplate.Template, base LayoutData) (*layout, error) {
	l := &layout{t: t, base: base}
	out, err := l.execute(bodySentinel, subjectSentinel)
	if err != nil {
		return nil, err
	}
	var occ []found
	for i := 0; i < len(out); {
		b := strings.Index(out[i:], bodySentinel)
		s := strings.Index(out[i:], subjectSentinel)
		switch {
		case b < 0 && s < 0:
			i = len(out)
		case s < 0 || b >= 0 && b < s:
			occ = append(occ, found{i + b, i + b + len(bodySentinel), slot{0, slotVerbatim}})
			i += b + len(bodySentinel)
		default:
			occ = append(occ, found{i + s, i + s + len(subjectSentinel), slot{1, slotAttr}})
			i += s + len(subjectSentinel)
		}
	}
	l.parts = splitAt(out, occ)
	l.fast = true
	for _, p := range []struct{ body, subject string }{
		{"<p>Probe &amp; <a href=\"https://x.test/?a=1&amp;b=2\">link</a></p>\n", `Probe <b>&"'+ =/:é` + "`"},
		{"", "x"},
	} {
		want, err := l.execute(p.body, p.subject)
		if err != nil {
			return nil, err
		}
		if got := l.fillBody(p.body, p.subject); got != want {
			l.fast = false
			break
		}
	}
	return l, nil
}

// execute runs the layout with body and subject.
func (l *layout) execute(body, subject string) (string, error) {
	d := l.base
	d.Body = htmltemplate.HTML(body)
	d.Subject = subject
	var b strings.Builder
	if err := l.t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("render: layout: %w", err)
	}
	return b.String(), nil
}

func (l *layout) fillBody(body, subject string) string {
	var b strings.Builder
	for i, s := range l.parts.slots {
		b.WriteString(l.parts.lit[i])
		if s.val == 0 {
			b.WriteString(body)
		} else {
			writeTemplateHTML(&b, subject)
		}
	}
	b.WriteString(l.parts.lit[len(l.parts.lit)-1])
	return b.String()
}

// fill writes the whole HTML part: layout chunks with the body skeleton
// filled in place.
func (l *layout) fill(sk *skeleton, values []string, subject string) (string, error) {
	if !l.fast || subject == "" {
		return l.execute(sk.html.fill(values), subject)
	}
	var b strings.Builder
	n := l.parts.litSize + len(subject)*2
	bodies := 0
	for _, s := range l.parts.slots {
		if s.val == 0 {
			bodies++
		}
	}
	b.Grow(n + bodies*sk.html.size(values))
	for i, s := range l.parts.slots {
		b.WriteString(l.parts.lit[i])
		if s.val == 0 {
			sk.html.writeTo(&b, values)
		} else {
			writeTemplateHTML(&b, subject)
		}
	}
	b.WriteString(l.parts.lit[len(l.parts.lit)-1])
	return b.String(), nil
}
