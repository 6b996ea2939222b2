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
	// Preheader is the front matter's preheader, escaped, followed by
	// invisible filler so that clients do not show body text after it in
	// their preview; empty when the template has none. Put it first in
	// <body>, in an element hidden with display:none.
	Preheader htmltemplate.HTML

	Brand   string   // Brand.Name
	LogoURL string   // Brand.Logo
	Address []string // Brand.Address, one entry a line
	// Footer is the brand's footer text for Lang, else the built-in one in
	// Lang's language (en, fr, de, es; English otherwise).
	Footer          string
	Unsubscribe     string // Brand.Unsubscribe
	UnsubscribeText string // "Unsubscribe" in Lang's language

	Color         string // the brand colour, "#rrggbb" (a neutral blue without one)
	OnColor       string // text on Color: white or near-black, whichever reads better
	LinkColor     string // Color, darkened if needed to read on white
	DarkLinkColor string // Color, lightened to read on DarkCard
	DarkBody      string // the default layout's dark-mode page colour
	DarkCard      string // the default layout's dark-mode card colour
}

//go:embed layout.html
var defaultLayout string

// layoutFuncs are the functions a layout may call:
//
//	{{mso "<table …><tr><td>"}}  writes the markup inside an Outlook
//	                             conditional comment, <!--[if mso]>…<![endif]-->
var layoutFuncs = htmltemplate.FuncMap{
	"mso": func(s string) htmltemplate.HTML {
		return htmltemplate.HTML("<!--[if mso]>" + s + "<![endif]-->")
	},
}

// DefaultLayout returns the embedded layout: a table-based 600px column
// (with an Outlook conditional wrapper) that narrows down to phone widths,
// the brand's bar, logo (the name as its alt text) or name, the body, and
// a footer with the brand's name, address, footer text and unsubscribe
// link. It follows the reader's dark mode (prefers-color-scheme) keeping
// the brand colour legible; its CSS is inlined when the Renderer is made.
func DefaultLayout() *htmltemplate.Template {
	return htmltemplate.Must(htmltemplate.New("layout.html").Funcs(layoutFuncs).Parse(defaultLayout))
}

var slotForm = regexp.MustCompile(`\{\{\s*(body|subject|preheader)\s*\}\}`)

// ParseLayout parses a layout from text. It accepts html/template syntax
// with LayoutData fields ({{.Body}}, {{.Subject}}, {{.Preheader}}) and also
// the slot form {{body}} / {{subject}} / {{preheader}}, which it rewrites to
// those actions; {{mso "…"}} writes an Outlook conditional comment. The
// layout is trusted: it may hold any HTML and CSS. Its <style> rules are
// inlined into style attributes once, when a Renderer is made (a <style
// data-premailer="ignore"> block is left as it is, for media queries).
func ParseLayout(name, text string) (*htmltemplate.Template, error) {
	text = slotForm.ReplaceAllStringFunc(text, func(m string) string {
		switch {
		case strings.Contains(m, "body"):
			return "{{.Body}}"
		case strings.Contains(m, "preheader"):
			return "{{.Preheader}}"
		}
		return "{{.Subject}}"
	})
	t, err := htmltemplate.New(name).Funcs(layoutFuncs).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("render: layout: %w", err)
	}
	return t, nil
}

// layout is an executed layout split at the body, the subject and the
// preheader, its CSS inlined. When the split cannot be trusted to give the
// same bytes as executing the layout (the subject used outside HTML text,
// or conditionally), fast is false and each message executes the layout
// (and inlines it).
type layout struct {
	t      *htmltemplate.Template
	base   LayoutData
	parts  chunks // slot val 0 = body, 1 = subject, 2 = preheader
	fast   bool
	inline bool              // the layout has <style> rules to inline
	css    map[string]string // the body elements' styles its CSS gives (escaped)
	text   string            // the text part's footer
}

const (
	bodySentinel      = "MTLAYOUTBODY0x"
	subjectSentinel   = "MTLAYOUTSUBJECT0x"
	preheaderSentinel = "MTLAYOUTPREHEADER0x"
)

var layoutSentinels = []string{bodySentinel, subjectSentinel, preheaderSentinel}

func newLayout(t *htmltemplate.Template, base LayoutData, textFooter string) (*layout, error) {
	l := &layout{t: t, base: base, text: textFooter}
	raw, err := l.executeRaw(bodySentinel, subjectSentinel, preheaderSentinel)
	if err != nil {
		return nil, err
	}
	l.parts = splitLayout(raw)
	l.fast = true
	for _, p := range []struct{ body, subject, preheader string }{
		{"<p>Probe &amp; <a href=\"https://x.test/?a=1&amp;b=2\">link</a></p>\n", `Probe <b>&"'+ =/:é` + "`", `Pre <b>&"'+`},
		{"", "x", ""},
		{"<p>x</p>\n", "", ""},
	} {
		want, err := l.executeRaw(p.body, p.subject, p.preheader)
		if err != nil {
			return nil, err
		}
		if got := fillChunks(l.parts, p.body, p.subject, p.preheader); got != want {
			l.fast = false
			break
		}
	}
	if !hasStyle(raw) {
		return l, nil
	}
	l.inline = true
	out, css, err := inlineLayout(l, raw)
	if err != nil {
		return nil, err
	}
	l.css = css
	l.parts = splitLayout(out)
	return l, nil
}

// splitLayout splits an executed layout at its sentinels.
func splitLayout(out string) chunks {
	var occ []found
	for i := 0; i < len(out); {
		first, at := -1, len(out)
		for k, s := range layoutSentinels {
			if j := strings.Index(out[i:], s); j >= 0 && i+j < at {
				first, at = k, i+j
			}
		}
		if first < 0 {
			break
		}
		kind := slotVerbatim
		if first == 1 {
			kind = slotAttr
		}
		end := at + len(layoutSentinels[first])
		occ = append(occ, found{at, end, slot{first, kind}})
		i = end
	}
	return splitAt(out, occ)
}

// executeRaw runs the layout with body, subject and preheader, without
// inlining.
func (l *layout) executeRaw(body, subject, preheader string) (string, error) {
	d := l.base
	d.Body = htmltemplate.HTML(body)
	d.Subject = subject
	d.Preheader = htmltemplate.HTML(preheaderHTML(preheader))
	if preheader == preheaderSentinel {
		d.Preheader = preheaderSentinel
	}
	var b strings.Builder
	if err := l.t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("render: layout: %w", err)
	}
	return b.String(), nil
}

// execute writes the layout around a body given as HTML: from the split
// layout when it can be trusted, else by executing the layout (and
// inlining its CSS around the body, which is already styled).
func (l *layout) execute(body, subject, preheader string) (string, error) {
	if l.fast {
		return fillChunks(l.parts, body, subject, preheader), nil
	}
	if !l.inline {
		return l.executeRaw(body, subject, preheader)
	}
	out, err := l.executeRaw(bodySentinel, subject, preheader)
	if err != nil {
		return "", err
	}
	if out, err = inlineCSS(out); err != nil {
		return "", err
	}
	return strings.Replace(out, bodySentinel, body, 1), nil
}

// preheaderFill follows a preheader so that clients show nothing of the
// body after it in their preview line.
var preheaderFill = strings.Repeat("&#847;&zwnj;&nbsp;", 40)

// preheaderHTML is the preheader escaped, with the filler after it.
func preheaderHTML(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	writeTemplateHTML(&b, s)
	b.WriteString(preheaderFill)
	return b.String()
}

// fillChunks fills layout chunks with a body given as HTML.
func fillChunks(c chunks, body, subject, preheader string) string {
	var b strings.Builder
	for i, s := range c.slots {
		b.WriteString(c.lit[i])
		switch s.val {
		case 0:
			b.WriteString(body)
		case 1:
			writeTemplateHTML(&b, subject)
		default:
			b.WriteString(preheaderHTML(preheader))
		}
	}
	b.WriteString(c.lit[len(c.lit)-1])
	return b.String()
}

// fill writes the whole HTML part: layout chunks with the body skeleton
// filled in place.
func (l *layout) fill(sk *skeleton, values []string, subject, preheader string) (string, error) {
	if !l.fast {
		return l.execute(sk.html.fill(values), subject, preheader)
	}
	var b strings.Builder
	n := l.parts.litSize + len(subject)*2 + len(preheader)*2 + len(preheaderFill)
	bodies := 0
	for _, s := range l.parts.slots {
		if s.val == 0 {
			bodies++
		}
	}
	b.Grow(n + bodies*sk.html.size(values))
	for i, s := range l.parts.slots {
		b.WriteString(l.parts.lit[i])
		switch s.val {
		case 0:
			sk.html.writeTo(&b, values)
		case 1:
			writeTemplateHTML(&b, subject)
		default:
			b.WriteString(preheaderHTML(preheader))
		}
	}
	b.WriteString(l.parts.lit[len(l.parts.lit)-1])
	return b.String(), nil
}
