package render

import (
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// markdown is the one goldmark configuration: CommonMark plus GFM tables,
// strikethrough and linkify. Its default HTML renderer is safe: raw HTML
// becomes "<!-- raw HTML omitted -->" and javascript:, vbscript:, file: and
// data: (non-image) URLs are emptied. It is never modified after creation.
var markdown = goldmark.New(goldmark.WithExtensions(
	extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
	extension.Strikethrough,
	extension.Linkify,
),
	// A single line break inside a paragraph is a line break, as in the
	// text part: authors write letters ("Thank you,↵{{sender}}").
	goldmark.WithRendererOptions(gmhtml.WithHardWraps()),
)

// policy is the one sanitizing policy, applied to goldmark's output: the
// elements Markdown produces and nothing else; links and images only with
// http, https, mailto or relative URLs. No script, style, iframe, form,
// input, meta, base or object element survives, nor any on* or style
// attribute. It is never modified after creation.
var policy = newPolicy()

func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowElements("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
		"blockquote", "pre", "code", "em", "strong", "del",
		"ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("href", "title").OnElements("a")
	p.AllowAttrs("src", "alt", "title").OnElements("img")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+-]+$`)).OnElements("code")
	return p
}

// sanitize applies the policy; bluemonday returns "" only for empty input
// or a read failure on its own buffer, so there is nothing more to check.
func sanitize(b []byte) string {
	return string(policy.SanitizeBytes(b))
}

// DefaultInlineCSS returns (a copy of) the style added to body elements
// with the default layout, as its <style> rules give them (without a
// brand); start from it to style another layout.
func DefaultInlineCSS() map[string]string {
	out := make(map[string]string)
	r, err := New(nil)
	if err != nil {
		return out // cannot happen: the default layout is tested
	}
	for el, style := range r.css {
		if !strings.Contains(el, "-") {
			out[el] = html.UnescapeString(style)
		}
	}
	return out
}

// addInlineCSS adds style="…" to each opening tag whose element has a style
// in css (values already escaped). It runs on sanitized HTML, where every
// "<" starts a tag and no tag has a style attribute.
func addInlineCSS(s string, css map[string]string) string {
	if len(css) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '<' || i+1 >= len(s) || s[i+1] == '/' {
			continue
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		end := i + j
		style, ok := css[tagName(s[i:end+1])]
		if !ok || strings.Contains(s[i:end], ` style="`) {
			continue
		}
		at := end
		if s[end-1] == '/' {
			at = end - 1
		}
		b.WriteString(s[last:at])
		b.WriteString(` style="`)
		b.WriteString(style)
		b.WriteString(`"`)
		last = at
		i = end
	}
	b.WriteString(s[last:])
	return b.String()
}
