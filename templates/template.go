package templates

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/mailtrail/mailtrail/internal/bytesize"
)

// MaxSize is the largest template accepted, in bytes.
const MaxSize = 1 << 20

// Template is a parsed template. It is immutable after Parse and safe for
// concurrent use.
type Template struct {
	Name   string // e.g. "vehicle-check", without locale or ".md"
	Locale string // the locale of the file actually used; "" for the base file
	File   string // the file name used in error messages

	// Subject is the subject line's template; nil when the template has no
	// front-matter subject.
	Subject []Node
	// Preheader is the template of the preview text that mail clients show
	// after the subject (front matter "preheader: …"); nil when absent.
	Preheader []Node
	// Body is the Markdown body's template.
	Body []Node

	src *source
}

// Source returns the template's full text, front matter included ("" for a
// Template not made by Parse or Load).
func (t *Template) Source() string { return t.source().text }

func (t *Template) source() *source {
	if t.src == nil {
		return newSource(t.File, "")
	}
	return t.src
}

// Position returns the line and column of a byte offset in the template's
// source, as used in its errors.
func (t *Template) Position(offset int) Pos { return t.source().pos(offset) }

// Errorf returns an *Error at byte offset off of the template, for problems
// found after parsing (missing data, unsafe markup). sentinel may be nil.
func (t *Template) Errorf(off int, sentinel error, format string, args ...any) *Error {
	p := t.source().pos(off)
	return &Error{File: t.File, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...), Err: sentinel}
}

// Parse parses one template from src. file names it in errors; its base name
// without ".md" and without a locale suffix ("welcome.fr.md") becomes Name,
// the suffix Locale. Use Parse for templates kept outside a file system, such
// as in a database. A leading UTF-8 byte order mark, which some editors
// write, is dropped. On failure the error is an [ErrorList] with every
// problem found, in source order.
func Parse(file string, src []byte) (*Template, error) {
	// Editors do not show the mark: drop it so that the front matter is
	// found and columns match what the author sees.
	src = bytes.TrimPrefix(src, []byte("\uFEFF"))
	t := &Template{File: file}
	t.Name, t.Locale = nameFromFile(file)
	if len(src) > MaxSize {
		return nil, ErrorList{{File: file, Line: 1, Col: 1, Err: ErrTooLarge,
			Msg: fmt.Sprintf("template is %s, over the %s limit", bytesize.String(len(src)), bytesize.String(MaxSize))}}
	}
	t.src = newSource(file, string(src))
	p := &parser{s: t.src, start: 0, end: len(src)}
	if !p.checkText() {
		return nil, p.errs
	}
	bodyStart := 0
	if fm, ok := p.frontMatter(&bodyStart); ok {
		if fm.subject != nil {
			t.Subject = p.parseLine(fm.subject)
		}
		if fm.preheader != nil {
			t.Preheader = p.parseLine(fm.preheader)
		}
	}
	p.start = bodyStart
	t.Body = p.parse()
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool {
			a, b := p.errs[i], p.errs[j]
			return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
		})
		return nil, p.errs
	}
	return t, nil
}

// parseLine parses one front-matter value (the byte range r of the source)
// as a template; its errors join p's.
func (p *parser) parseLine(r []int) []Node {
	sp := &parser{s: p.s, start: r[0], end: r[1]}
	nodes := sp.parse()
	if nodes == nil {
		nodes = []Node{}
	}
	p.errs = append(p.errs, sp.errs...)
	return nodes
}

// frontMatterKeys are the keys a front-matter block may hold.
var frontMatterKeys = map[string]bool{"subject": true, "preheader": true}

// frontMatterValues are the byte ranges of the front-matter values; nil when
// absent.
type frontMatterValues struct{ subject, preheader []int }

// frontMatter reads an optional "---" block at the start of the text. It
// returns the byte ranges of its values and sets *body to the offset where
// the Markdown body starts.
func (p *parser) frontMatter(body *int) (frontMatterValues, bool) {
	var fm frontMatterValues
	src := p.s.text
	first, rest, ok := cutLine(src, 0)
	if !ok || strings.TrimRight(src[0:first], " \t\r") != "---" {
		return fm, false
	}
	for off := rest; ; {
		end, next, ok := cutLine(src, off)
		line := strings.TrimRight(src[off:end], "\r")
		if strings.TrimRight(line, " \t") == "---" {
			*body = next
			return fm, true
		}
		if !ok {
			p.fail(0, ErrSyntax, "front matter opened with --- is not closed by a --- line")
			*body = len(src)
			return frontMatterValues{}, false
		}
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		default:
			key, _, found := strings.Cut(line, ":")
			k := strings.TrimSpace(key)
			if !found || !frontMatterKeys[k] {
				p.fail(off, ErrSyntax, "unknown front-matter line %q (only \"subject: …\" and \"preheader: …\" are supported)", trimmed)
				break
			}
			vs := off + len(key) + 1
			ve := off + len(line)
			for vs < ve && (src[vs] == ' ' || src[vs] == '\t') {
				vs++
			}
			for ve > vs && (src[ve-1] == ' ' || src[ve-1] == '\t') {
				ve--
			}
			if ve-vs >= 2 && (src[vs] == '"' || src[vs] == '\'') && src[ve-1] == src[vs] {
				vs, ve = vs+1, ve-1
			}
			dst := &fm.subject
			if k == "preheader" {
				dst = &fm.preheader
			}
			if *dst != nil {
				p.fail(off, ErrSyntax, "%s given twice in front matter", k)
			}
			if i := strings.IndexAny(src[vs:ve], "\r\f"); i >= 0 {
				p.fail(vs+i, ErrSyntax, "control character in %s", k)
			}
			*dst = []int{vs, ve}
		}
		off = next
	}
}

// cutLine returns the end of the line starting at off (before its "\n"), the
// start of the next line, and whether a "\n" was found.
func cutLine(s string, off int) (end, next int, ok bool) {
	i := strings.IndexByte(s[off:], '\n')
	if i < 0 {
		return len(s), len(s), false
	}
	return off + i, off + i + 1, true
}

func nameFromFile(file string) (name, locale string) {
	base := strings.TrimSuffix(path.Base(strings.ReplaceAll(file, "\\", "/")), ".md")
	if i := strings.LastIndexByte(base, '.'); i > 0 && ValidLocale(base[i+1:]) {
		return base[:i], base[i+1:]
	}
	return base, ""
}
