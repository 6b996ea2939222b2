package render

import (
	"maps"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown is the one goldmark configuration: CommonMark plus GFM tables,
// strikethrough and linkify. Its default HTML renderer is safe: raw HTML
// becomes "<!-- raw HTML omitted -->" and javascript:, vbscript:, file: and
// data: (non-image) URLs are emptied. It is never modified after creation.
var markdown = goldmark.New(goldmark.WithExtensions(
	extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
	extension.Strikethrough,
	extension.Linkify,
))

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
// with the default layout; it matches the layout's <style> block, for mail
// clients that drop <style>. Start from it to style another layout.
func DefaultInlineCSS() map[string]string {
	return maps.Clone(defaultInlineCSS)
}

var defaultInlineCSS = map[string]string{
	"h1":         "font-size:22px;line-height:1.3;margin:0 0 16px;",
	"h2":         "font-size:17px;line-height:1.3;margin:24px 0 8px;",
	"h3":         "font-size:15px;margin:20px 0 8px;",
	"p":          "margin:0 0 12px;",
	"a":          "color:#0b69a3;",
	"ul":         "padding-left:20px;margin:0 0 12px;",
	"ol":         "padding-left:20px;margin:0 0 12px;",
	"blockquote": "margin:0 0 12px;padding-left:12px;border-left:3px solid #d2d6dc;color:#52606d;",
	"pre":        "background:#f4f5f7;padding:8px 12px;border-radius:4px;overflow:auto;",
	"code":       "font-family:SFMono-Regular,Consolas,monospace;font-size:13px;",
	"table":      "border-collapse:collapse;margin:0 0 12px;",
	"th":         "border:1px solid #e4e7eb;padding:4px 8px;background:#f4f5f7;",
	"td":         "border:1px solid #e4e7eb;padding:4px 8px;",
	"hr":         "border:0;border-top:1px solid #e4e7eb;margin:16px 0;",
	"img":        "max-width:100%;height:auto;",
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
		if !ok {
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
