package templates

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxDepth is how deeply sections may nest.
const MaxDepth = 32

// maxErrors stops a parse that keeps failing from flooding its caller.
const maxErrors = 50

type frame struct {
	sec   *Section
	nodes []Node
}

// parser parses the Mustache text s.text[start:end].
type parser struct {
	s     *source
	start int
	end   int
	errs  ErrorList
	stack []frame // the open sections; stack[0] is the region itself
	last  Pos     // the last position asked for, see pos
}

// pos is the position of offset off, counted from the last one asked for.
func (p *parser) pos(off int) Pos {
	p.last = p.s.posAfter(p.last, off)
	return p.last
}

func (p *parser) fail(off int, sentinel error, format string, args ...any) {
	if len(p.errs) < maxErrors {
		pos := p.pos(off)
		p.errs = append(p.errs, &Error{File: p.s.file, Line: pos.Line, Col: pos.Col, Msg: fmt.Sprintf(format, args...), Err: sentinel})
	}
}

// tag is one "{{…}}" of the source.
type tag struct {
	open, inner, after int    // offsets of "{{", of the content, just past the closer
	closer             string // "}}" or "}}}"
	kind               byte   // '#', '^', '/', '!', '>', '=', '<', '$', '&', or 0 for a variable
	content            string // between the sigil and the closer
}

// parse returns the nodes of the region and every problem found; it never
// stops at the first problem unless the rest cannot be read (a "{{" with no
// "}}", nesting over MaxDepth).
func (p *parser) parse() []Node {
	p.stack = []frame{{}}
	i := p.start
	for i < p.end {
		t, found, closed := p.nextTag(i)
		if !found {
			break
		}
		if !closed {
			p.text(i, p.end)
			i = p.end
			break
		}
		// Standalone tags (spec: "Standalone Lines") vanish with their line.
		textEnd, next := t.open, t.after
		if t.kind != 0 && t.kind != '&' {
			if ls, eol, ok := p.standalone(i, t.open, t.after); ok {
				textEnd, next = ls, eol
			}
		}
		p.text(i, textEnd)
		i = next
		if !p.tag(t) {
			return nil
		}
	}
	p.text(i, p.end)
	for len(p.stack) > 1 {
		sec := p.stack[len(p.stack)-1].sec
		p.fail(sec.Pos.Offset, ErrSyntax, "unclosed section %s: no {{/%s}}", sec.Tag(), sec.Name)
		p.stack = p.pop(p.stack)
	}
	return p.stack[0].nodes
}

// emit adds n to the innermost open section.
func (p *parser) emit(n Node) {
	top := &p.stack[len(p.stack)-1]
	top.nodes = append(top.nodes, n)
}

// text emits the source text from:to, if any.
func (p *parser) text(from, to int) {
	if to > from {
		p.emit(&Text{Text: p.s.text[from:to], Pos: p.pos(from)})
	}
}

// nextTag finds the first tag at or after offset i. found is false when
// there is none; closed is false (and the problem reported) when its
// closer is missing.
func (p *parser) nextTag(i int) (t tag, found, closed bool) {
	src := p.s.text
	j := strings.Index(src[i:p.end], "{{")
	if j < 0 {
		return t, false, false
	}
	t.open = i + j
	t.inner = t.open + 2
	t.closer = "}}"
	if t.inner < p.end && src[t.inner] == '{' {
		t.inner++
		t.closer = "}}}"
	}
	k := strings.Index(src[t.inner:p.end], t.closer)
	if k < 0 {
		p.fail(t.open, ErrSyntax, "unclosed tag: %s without %s", src[t.open:t.inner], t.closer)
		return t, true, false
	}
	t.content = src[t.inner : t.inner+k]
	t.after = t.inner + k + len(t.closer)
	if t.closer == "}}" && len(t.content) > 0 {
		switch t.content[0] {
		case '#', '^', '/', '!', '>', '=', '<', '$', '&':
			t.kind = t.content[0]
			t.content = t.content[1:]
		}
	}
	return t, true, true
}

// tag acts on one tag. It returns false when the parse cannot go on
// (sections nested over MaxDepth).
func (p *parser) tag(t tag) bool {
	name := strings.TrimSpace(t.content)
	switch t.kind {
	case '!':
		// comment
	case '>':
		p.fail(t.open, ErrUnsupported, "partials are not supported: {{>%s}}", name)
	case '=':
		p.fail(t.open, ErrUnsupported, "delimiter changes are not supported: {{=%s}}", strings.TrimSuffix(t.content, "="))
	case '#', '^', '<', '$':
		if t.kind == '<' || t.kind == '$' {
			// reported, then parsed as a section so that its closing tag matches
			p.fail(t.open, ErrUnsupported, "template inheritance is not supported: {{%c%s}}", t.kind, name)
		}
		path, ok := p.name(t.open, name)
		if !ok {
			return true
		}
		if len(p.stack) > MaxDepth {
			p.fail(t.open, ErrSyntax, "sections nested too deeply (more than %d levels)", MaxDepth)
			return false
		}
		p.stack = append(p.stack, frame{sec: &Section{Name: name, Path: path, Inverted: t.kind == '^', Pos: p.pos(t.open)}})
	case '/':
		p.closeSection(t.open, name)
	default:
		if name == "" {
			p.fail(t.open, ErrSyntax, "empty tag %s%s", p.s.text[t.open:t.inner], t.closer)
			return true
		}
		if path, ok := p.name(t.open, name); ok {
			p.emit(&Var{Name: name, Path: path, Pos: p.pos(t.open)})
		}
	}
	return true
}

// closeSection acts on the closing tag {{/name}} at offset open. A tag
// that does not match the innermost section closes the sections up to the
// one it names, or is ignored when it names none.
func (p *parser) closeSection(open int, name string) {
	if _, ok := p.name(open, name); !ok {
		return
	}
	if len(p.stack) == 1 {
		p.fail(open, ErrSyntax, "{{/%s}} closes no open section", name)
		return
	}
	top := p.stack[len(p.stack)-1]
	if top.sec.Name != name {
		opened := -1
		for d := len(p.stack) - 2; d >= 1; d-- {
			if p.stack[d].sec.Name == name {
				opened = d
				break
			}
		}
		p.fail(open, ErrSyntax, "{{/%s}} does not match %s opened at %d:%d", name, top.sec.Tag(), top.sec.Pos.Line, top.sec.Pos.Col)
		if opened < 0 {
			return // a stray closing tag: ignore it
		}
		for len(p.stack)-1 > opened { // close the unterminated inner sections
			p.stack = p.pop(p.stack)
		}
	}
	p.stack = p.pop(p.stack)
}

func (p *parser) pop(stack []frame) []frame {
	top := stack[len(stack)-1]
	top.sec.Nodes = top.nodes
	stack = stack[:len(stack)-1]
	parent := &stack[len(stack)-1]
	parent.nodes = append(parent.nodes, top.sec)
	return stack
}

// standalone reports whether the tag src[open:after] is alone on its line
// (only spaces and tabs around it, and no other tag before it on the line,
// which textStart tells). If so it returns the line start and the offset
// just past the line ending.
func (p *parser) standalone(textStart, open, after int) (ls, eol int, ok bool) {
	src := p.s.text
	ls = strings.LastIndexByte(src[p.start:open], '\n') + 1 + p.start
	if ls < textStart {
		return 0, 0, false
	}
	for k := ls; k < open; k++ {
		if src[k] != ' ' && src[k] != '\t' {
			return 0, 0, false
		}
	}
	k := after
	for k < p.end && (src[k] == ' ' || src[k] == '\t') {
		k++
	}
	switch {
	case k == p.end:
		return ls, k, true
	case src[k] == '\n':
		return ls, k + 1, true
	case src[k] == '\r' && k+1 < p.end && src[k+1] == '\n':
		return ls, k + 2, true
	}
	return 0, 0, false
}

// name validates a tag name and returns its dotted path (nil for ".").
func (p *parser) name(off int, name string) ([]string, bool) {
	if name == "" {
		p.fail(off, ErrSyntax, "missing name in tag")
		return nil, false
	}
	if name == "." {
		return nil, true
	}
	path := strings.Split(name, ".")
	for _, seg := range path {
		if seg == "" {
			p.fail(off, ErrSyntax, "invalid name %q: empty segment", name)
			return nil, false
		}
		for _, r := range seg {
			if !(r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
				if unicode.IsSpace(r) {
					p.fail(off, ErrSyntax, "invalid name %q: space inside a tag", name)
				} else {
					p.fail(off, ErrSyntax, "unknown tag syntax {{%s}}", name)
				}
				return nil, false
			}
		}
	}
	return path, true
}

// checkText reports invalid UTF-8, NUL and control characters other than
// tab, line feed, carriage return and form feed in s.text[start:end].
func (p *parser) checkText() bool {
	src := p.s.text
	ok := true
	for i := p.start; i < p.end; {
		c := src[i]
		if c < utf8.RuneSelf {
			if c == 0 {
				p.fail(i, ErrSyntax, "NUL byte in template")
				ok = false
			} else if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
				p.fail(i, ErrSyntax, "control character U+%04X in template", c)
				ok = false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(src[i:p.end])
		if r == utf8.RuneError && n == 1 {
			p.fail(i, ErrSyntax, "invalid UTF-8")
			ok = false
			// one error per line is enough
			nl := strings.IndexByte(src[i:p.end], '\n')
			if nl < 0 {
				break
			}
			i += nl + 1
			continue
		}
		i += n
	}
	return ok
}
