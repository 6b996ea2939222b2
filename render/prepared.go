package render

import (
	"bytes"
	"html"
	"sync"
	"sync/atomic"

	"github.com/yuin/goldmark/text"

	"github.com/mailtrail/mailtrail/templates"
)

// prepared is the data-independent work for one template: its sentinel
// prefix and its skeletons, one per shape.
type prepared struct {
	t      *templates.Template
	prefix string

	mu     sync.RWMutex
	shapes map[string]*skeleton

	jsonHint atomic.Int64 // size of the last JSON part, to size the next
}

// skeleton is the rendered body for one shape, split at the values.
type skeleton struct {
	html   chunks
	text   chunks
	values []struct{} // one per sentinel expanded (its length is what counts)
}

func newPrepared(t *templates.Template, cssText string) *prepared {
	return &prepared{
		t: t,
		// The unescaped source too: "&#77;tq…" must not render as a sentinel.
		prefix: choosePrefix(t.Source(), html.UnescapeString(t.Source()), cssText),
		shapes: make(map[string]*skeleton),
	}
}

// constSubject returns the subject when it has no placeholder or section.
func (p *prepared) constSubject() (string, bool) {
	if len(p.t.Subject) == 0 {
		return "", true
	}
	if len(p.t.Subject) == 1 {
		if x, ok := p.t.Subject[0].(*templates.Text); ok {
			return x.Text, true
		}
	}
	return "", false
}

// maxCachedSkeleton keeps huge expansions (long lists) out of the cache, so
// that its memory stays bounded: MaxShapes × this per template.
const maxCachedSkeleton = 256 << 10

// skeleton returns the cached skeleton for shape, building it on a miss.
func (p *prepared) skeleton(r *Renderer, shape []byte, data any) (*skeleton, error) {
	p.mu.RLock()
	sk := p.shapes[string(shape)]
	p.mu.RUnlock()
	if sk != nil {
		return sk, nil
	}
	sk, err := p.build(r, data)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	if old := p.shapes[string(shape)]; old != nil {
		sk = old
	} else if len(p.shapes) < r.opts.MaxShapes && sk.html.litSize+sk.text.litSize <= maxCachedSkeleton {
		p.shapes[string(shape)] = sk
	}
	p.mu.Unlock()
	return sk, nil
}

// build renders the body for data's shape from scratch: expand with
// sentinels, parse the Markdown once, render HTML and sanitize it, add the
// inline styles, render the text, and split both at the sentinels.
func (p *prepared) build(r *Renderer, data any) (*skeleton, error) {
	w := markdownWriter{prefix: p.prefix, limit: r.opts.MaxOutputSize, t: p.t}
	if err := templates.Execute(p.t.Body, data, &w); err != nil {
		return nil, err
	}
	src := w.b
	doc := markdown.Parser().Parse(text.NewReader(src))
	var buf bytes.Buffer
	if err := markdown.Renderer().Render(&buf, src, doc); err != nil {
		return nil, err
	}
	clean := sanitize(buf.Bytes())
	styled := addInlineCSS(addButtons(clean, r.css, r.color()), r.css)
	sk := &skeleton{values: make([]struct{}, w.n)}
	sk.html = splitHTML(styled, p.prefix, w.n)
	plain, urls := renderText(doc, src)
	sk.text = splitText(plain, urls, p.prefix, w.n)
	return sk, nil
}
