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
}

func (p *parser) fail(off int, sentinel error, format string, args ...any) {
	if len(p.errs) < maxErrors {
		p.errs = append(p.errs, p.s.errorf(off, sentinel, fmt.Sprintf(format, args...)))
	}
}

// parse returns the nodes of the region and every problem found; it never
// stops at the first problem unless the rest cannot be read (a "{{" with no
// "}}", nesting over MaxDepth).
func (p *parser) parse() []Node {
	src := p.s.text
	stack := []frame{{}}
	emit := func(n Node) {
		top := &stack[len(stack)-1]
		top.nodes = append(top.nodes, n)
	}
	text := func(from, to int) {
		if to > from {
			emit(&Text{Text: src[from:to], Pos: p.s.pos(from)})
		}
	}
	i := p.start
	for i < p.end {
		j := strings.Index(src[i:p.end], "{{")
		if j < 0 {
			break
		}
		open := i + j
		inner := open + 2
		closer := "}}"
		if inner < p.end && src[inner] == '{' {
			inner++
			closer = "}}}"
		}
		k := strings.Index(src[inner:p.end], closer)
		if k < 0 {
			if closer == "}}}" {
				p.fail(open, ErrSyntax, "unclosed tag: {{{ without }}}")
			} else {
				p.fail(open, ErrSyntax, "unclosed tag: {{ without }}")
			}
			text(i, p.end)
			i = p.end
			break
		}
		content := src[inner : inner+k]
		after := inner + k + len(closer)
		kind := byte(0)
		if closer == "}}" && len(content) > 0 {
			switch content[0] {
			case '#', '^', '/', '!', '>', '=', '<', '$', '&':
				kind = content[0]
				content = content[1:]
			}
		}
		// Standalone tags (spec: "Standalone Lines") vanish with their line.
		textEnd, next := open, after
		switch kind {
		case '#', '^', '/', '!', '>', '=', '<', '$':
			if ls, eol, ok := p.standalone(i, open, after); ok {
				textEnd, next = ls, eol
			}
		}
		text(i, textEnd)
		i = next
		name := strings.TrimSpace(content)
		switch kind {
		case '!':
			// comment
		case '>':
			p.fail(open, ErrUnsupported, "partials are not supported: {{>%s}}", name)
		case '=':
			p.fail(open, ErrUnsupported, "delimiter changes are not supported: {{=%s}}", strings.TrimSuffix(content, "="))
		case '#', '^', '<', '$':
			if kind == '<' || kind == '$' {
				// reported, then parsed as a section so that its closing tag matches
				p.fail(open, ErrUnsupported, "template inheritance is not supported: {{%c%s}}", kind, name)
			}
			path, ok := p.name(open, name)
			if !ok {
				continue
			}
			if len(stack) > MaxDepth {
				p.fail(open, ErrSyntax, "sections nested too deeply (more than %d levels)", MaxDepth)
				return nil
			}
			stack = append(stack, frame{sec: &Section{Name: name, Path: path, Inverted: kind == '^', Pos: p.s.pos(open)}})
		case '/':
			if _, ok := p.name(open, name); !ok {
				continue
			}
			if len(stack) == 1 {
				p.fail(open, ErrSyntax, "{{/%s}} closes no open section", name)
				continue
			}
			top := stack[len(stack)-1]
			if top.sec.Name != name {
				opened := -1
				for d := len(stack) - 2; d >= 1; d-- {
					if stack[d].sec.Name == name {
						opened = d
						break
					}
				}
				p.fail(open, ErrSyntax, "{{/%s}} does not match %s opened at %d:%d", name, top.sec.Tag(), top.sec.Pos.Line, top.sec.Pos.Col)
				if opened < 0 {
					continue // a stray closing tag: ignore it
				}
				for len(stack)-1 > opened { // close the unterminated inner sections
					stack = p.pop(stack)
				}
			}
			stack = p.pop(stack)
		default:
			if name == "" {
				p.fail(open, ErrSyntax, "empty tag %s%s", src[open:inner], closer)
				continue
			}
			path, ok := p.name(open, name)
			if !ok {
				continue
			}
			emit(&Var{Name: name, Path: path, Pos: p.s.pos(open)})
		}
	}
	text(i, p.end)
	for len(stack) > 1 {
		sec := stack[len(stack)-1].sec
		p.fail(sec.Pos.Offset, ErrSyntax, "unclosed section %s: no {{/%s}}", sec.Tag(), sec.Name)
		stack = p.pop(stack)
	}
	return stack[0].nodes
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
