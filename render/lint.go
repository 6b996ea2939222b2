package render

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/mailtrail/mailtrail/templates"
)

// GmailClipSize is the size of HTML above which Gmail clips a message
// behind a "View entire message" link.
const GmailClipSize = 102 << 10

// Warnings reports what does not stop a message but may hurt how partners
// see it, each as a *templates.Error (Line 0 when it is about the whole
// message):
//
//   - an image without alt text (at its position);
//   - with sample data (data non-nil): an HTML part over GmailClipSize,
//     and a message that is mostly images (fewer than 20 words of text per
//     image), which image-blocking clients show nearly empty and spam
//     filters score.
//
// The result is nil when all is well.
func (r *Renderer) Warnings(t *templates.Template, data any) templates.ErrorList {
	var out templates.ErrorList
	p := r.prepare(t)
	var m srcMap
	var vars []*templates.Var
	src := expandAll(t.Body, p.prefix, nil, &m, &vars)
	doc := markdown.Parser().Parse(text.NewReader(src))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		img, ok := n.(*ast.Image)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		if strings.TrimSpace(string(altText(img, src))) == "" {
			off := nodeOffset(img, src)
			if off < 0 {
				off = 0
			}
			out = append(out, t.Errorf(m.lookup(off), nil, "image %s has no alt text: write ![what it shows](…), for readers whose client blocks images", quoteShort(string(img.Destination))))
		}
		return ast.WalkContinue, nil
	})
	if data != nil {
		if parts, err := r.render(t, data, false, true); err == nil {
			out = append(out, r.partWarnings(t, parts)...)
		}
	}
	return out
}

var imgTagRe = regexp.MustCompile(`<img\s`)

func (r *Renderer) partWarnings(t *templates.Template, parts *Parts) templates.ErrorList {
	var out templates.ErrorList
	whole := func(format string, args ...any) {
		out = append(out, &templates.Error{File: t.File, Msg: fmt.Sprintf(format, args...)})
	}
	if n := len(parts.HTML); n > GmailClipSize {
		whole("the HTML part is %d KB with the sample data: Gmail clips messages over 102 KB behind a \"View entire message\" link", n>>10)
	}
	body := parts.HTML
	if i := strings.Index(body, "<body"); i >= 0 {
		body = body[i:]
	}
	images := len(imgTagRe.FindAllStringIndex(body, -1))
	if r.brand.Logo != "" && images > 0 {
		images-- // the logo
	}
	words := len(strings.Fields(strings.TrimSuffix(parts.Text, r.layoutTextFooter(t.Locale))))
	if images > 0 && words < 20*images {
		whole("the message is mostly images (%d images, %d words of text): clients that block images show it nearly empty and spam filters score it; add text", images, words)
	}
	return out
}

// layoutTextFooter is the text part's footer for locale.
func (r *Renderer) layoutTextFooter(locale string) string {
	l, err := r.layoutFor(locale)
	if err != nil {
		return ""
	}
	return l.text
}

//go:embed caniemail.json
var caniemailJSON []byte

// cssFeature is one entry of the curated Can I email subset.
type cssFeature struct {
	Slug      string   `json:"slug"`
	Title     string   `json:"title"`
	Property  string   `json:"property"`
	Value     string   `json:"value"`
	At        string   `json:"at"`
	DroppedBy []string `json:"dropped_by"`
	Note      string   `json:"note"`
}

var cssFeatures = func() []cssFeature {
	var d struct {
		Features []cssFeature `json:"features"`
	}
	if err := json.Unmarshal(caniemailJSON, &d); err != nil {
		panic("render: caniemail.json: " + err.Error()) // embedded and tested
	}
	return d.Features
}()

var cssDeclRe = regexp.MustCompile(`(?i)(?:^|[;{"'\s])([a-z-]+)\s*:\s*([^;}"'<>]*)`)

// LayoutWarnings reports the CSS in a layout's source that major mail
// clients drop (Gmail on the web, Outlook on Windows), from a curated
// subset of the Can I email data (caniemail.com, MIT licence), one warning
// per feature at its first use. file names the layout in the warnings.
func LayoutWarnings(file, src string) templates.ErrorList {
	type hit struct {
		off int
		f   cssFeature
	}
	first := map[string]int{}
	lower := strings.ToLower(src)
	for _, f := range cssFeatures {
		if f.At != "" {
			if i := strings.Index(lower, f.At); i >= 0 {
				first[f.Slug] = i
			}
			continue
		}
		for _, m := range cssDeclRe.FindAllStringSubmatchIndex(lower, -1) {
			prop, val := lower[m[2]:m[3]], strings.TrimSpace(lower[m[4]:m[5]])
			if prop != f.Property || f.Value != "" && !strings.HasPrefix(val, f.Value) {
				continue
			}
			first[f.Slug] = m[2]
			break
		}
	}
	var hits []hit
	for _, f := range cssFeatures {
		if off, ok := first[f.Slug]; ok {
			hits = append(hits, hit{off, f})
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].off < hits[j].off })
	var out templates.ErrorList
	for _, h := range hits {
		line := 1 + strings.Count(src[:h.off], "\n")
		col := 1 + len([]rune(src[strings.LastIndexByte(src[:h.off], '\n')+1:h.off]))
		msg := fmt.Sprintf("CSS %s is dropped by %s (caniemail.com/features/%s)", h.f.Title, strings.Join(h.f.DroppedBy, " and "), h.f.Slug)
		if h.f.Note != "" {
			msg += ": " + h.f.Note
		}
		out = append(out, &templates.Error{File: file, Line: line, Col: col, Msg: msg})
	}
	return out
}

// altText is the text of an image's description (its alt text): the
// values of the Text and String nodes below it.
func altText(n ast.Node, src []byte) []byte {
	var b []byte
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b = append(b, c.Segment.Value(src)...)
		case *ast.String:
			b = append(b, c.Value...)
		}
		return ast.WalkContinue, nil
	})
	return b
}
