package render

import (
	"errors"
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/mailtrail/mailtrail/templates"
)

// Check reports the problems of a parsed template that rendering would hide
// or trip over, each at its file:line:col:
//
//   - no subject;
//   - raw HTML in the Markdown (it is omitted from the message);
//   - a link or image URL that sanitizing removes (any scheme other than
//     http, https and mailto);
//   - a placeholder that is a whole link URL (it is encoded as a relative
//     path);
//   - with sample data (data non-nil): each placeholder without a value and
//     each value the renderer refuses (too large, unsafe in the subject).
//
// Markup checks look at every section's content, shown or not. Parse errors
// are [templates.Parse]'s business. The result is sorted by position and nil
// when all is well.
func (r *Renderer) Check(t *templates.Template, data any) templates.ErrorList {
	var errs templates.ErrorList
	if t.Subject == nil {
		errs = append(errs, &templates.Error{File: t.File, Line: 1, Col: 1,
			Msg: "no subject: start the file with a front-matter block (---, subject: …, ---)"})
	}
	errs = append(errs, r.checkMarkup(t)...)
	if data != nil {
		parts, err := r.render(t, data, false, true)
		var te *templates.Error
		switch {
		case errors.As(err, &te):
			errs = append(errs, te)
		case err != nil:
			errs = append(errs, &templates.Error{File: t.File, Line: 1, Col: 1, Msg: err.Error()})
		default:
			for _, w := range parts.Warnings {
				w2 := *w
				w2.Msg += " in the sample data"
				errs = append(errs, &w2)
			}
		}
	}
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].Line != errs[j].Line {
			return errs[i].Line < errs[j].Line
		}
		return errs[i].Col < errs[j].Col
	})
	var out templates.ErrorList
	for i, e := range errs {
		if i > 0 && e.Error() == errs[i-1].Error() {
			continue
		}
		out = append(out, e)
	}
	return out
}

// Check is [Renderer.Check] with the default options.
func Check(t *templates.Template, data any) templates.ErrorList {
	r, err := New(nil)
	if err != nil {
		return templates.ErrorList{{File: t.File, Line: 1, Col: 1, Msg: err.Error()}}
	}
	return r.Check(t, data)
}

// srcMap maps offsets of an expansion back to the template.
type srcMap struct {
	out  []int // start of each piece in the expansion
	src  []int // its offset in the template
	isPH []bool
}

func (m *srcMap) add(out, src int, ph bool) {
	m.out = append(m.out, out)
	m.src = append(m.src, src)
	m.isPH = append(m.isPH, ph)
}

func (m *srcMap) lookup(off int) int {
	i := sort.SearchInts(m.out, off+1) - 1
	if i < 0 {
		return 0
	}
	if m.isPH[i] {
		return m.src[i]
	}
	return m.src[i] + off - m.out[i]
}

// expandAll writes every section's content once, values as sentinels.
func expandAll(nodes []templates.Node, prefix string, b []byte, m *srcMap, vars *[]*templates.Var) []byte {
	for _, n := range nodes {
		switch n := n.(type) {
		case *templates.Text:
			m.add(len(b), n.Pos.Offset, false)
			b = append(b, n.Text...)
		case *templates.Var:
			m.add(len(b), n.Pos.Offset, true)
			b = appendSentinel(b, prefix, len(*vars))
			*vars = append(*vars, n)
		case *templates.Section:
			b = expandAll(n.Nodes, prefix, b, m, vars)
		}
	}
	return b
}

func (r *Renderer) checkMarkup(t *templates.Template) templates.ErrorList {
	p := r.prepare(t)
	var m srcMap
	var vars []*templates.Var
	src := expandAll(t.Body, p.prefix, nil, &m, &vars)
	doc := markdown.Parser().Parse(text.NewReader(src))
	var errs templates.ErrorList
	at := func(off int, format string, args ...any) {
		errs = append(errs, t.Errorf(m.lookup(off), nil, format, args...))
	}
	show := func(b []byte) string {
		s := strings.TrimSpace(string(b))
		for i, v := range vars {
			s = strings.ReplaceAll(s, string(appendSentinel(nil, p.prefix, i)), v.Tag())
		}
		if len(s) > 60 {
			s = s[:57] + "..."
		}
		return s
	}
	var parentOff []int
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			parentOff = parentOff[:len(parentOff)-1]
			return ast.WalkContinue, nil
		}
		off := nodeOffset(n, src)
		if off < 0 && len(parentOff) > 0 {
			off = parentOff[len(parentOff)-1]
		}
		parentOff = append(parentOff, off)
		switch n := n.(type) {
		case *ast.RawHTML:
			var b []byte
			for i := 0; i < n.Segments.Len(); i++ {
				s := n.Segments.At(i)
				b = append(b, s.Value(src)...)
			}
			at(off, "raw HTML %s is omitted from the message (use Markdown)", show(b))
		case *ast.HTMLBlock:
			at(off, "raw HTML block %s is omitted from the message (use Markdown)", show(firstLine(n, src)))
		case *ast.Link:
			r.checkURL(n.Destination, "link", off, p.prefix, vars, at, show)
		case *ast.Image:
			r.checkURL(n.Destination, "image", off, p.prefix, vars, at, show)
		case *ast.LinkReferenceDefinition:
			r.checkURL(n.Destination, "link", off, p.prefix, vars, at, show)
		case *ast.AutoLink:
			// <javascript:…> parses as an autolink, which sanitizing drops.
			if n.AutoLinkType == ast.AutoLinkURL {
				r.checkURL(n.URL(src), "link", off, p.prefix, vars, at, show)
			}
		}
		return ast.WalkContinue, nil
	})
	return errs
}

func (r *Renderer) checkURL(dest []byte, what string, off int, prefix string, vars []*templates.Var,
	at func(int, string, ...any), show func([]byte) string) {
	d := string(dest)
	switch {
	case strings.HasPrefix(d, prefix):
		at(off, "placeholder %s is the whole %s URL: its value is encoded as a relative path; write the scheme and host in the template, e.g. https://example.com/…/%s",
			show([]byte(d[:strings.IndexByte(d, 'x')+1])), what, show([]byte(d[:strings.IndexByte(d, 'x')+1])))
	case !safeURL(d) || strings.HasPrefix(strings.ToLower(strings.TrimSpace(d)), "data:"):
		at(off, "%s URL %s is removed by sanitizing (only http, https, mailto and relative URLs are kept)", what, show(dest))
	}
}

func firstLine(n ast.Node, src []byte) []byte {
	l := n.Lines()
	if l.Len() == 0 {
		return nil
	}
	seg := l.At(0)
	return seg.Value(src)
}

// nodeOffset finds where a node starts in the expansion, or -1.
func nodeOffset(n ast.Node, src []byte) int {
	switch n := n.(type) {
	case *ast.Text:
		return n.Segment.Start
	case *ast.RawHTML:
		if n.Segments.Len() > 0 {
			return n.Segments.At(0).Start
		}
	}
	if n.Type() == ast.TypeBlock {
		if l := n.Lines(); l != nil && l.Len() > 0 {
			return l.At(0).Start
		}
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if off := nodeOffset(c, src); off >= 0 {
			return off
		}
	}
	if p := n.Pos(); p >= 0 {
		return p
	}
	return -1
}
