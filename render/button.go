package render

import (
	"regexp"
	"strings"
)

// A call-to-action button is written in Markdown as a link whose text is
// in square brackets, alone in its paragraph:
//
//	[[Pay the invoice]](https://pay.example.com/{{invoice.id}})
//
// In HTML it becomes a "bulletproof" button: a one-cell table whose cell
// carries the colour (bgcolor, for Outlook) around a padded link, so that
// it shows as a button with or without CSS and images. In the text part it
// reads "Pay the invoice: https://pay.example.com/…". Anywhere else the
// same link is an ordinary link showing its brackets.

// buttonRe finds a sanitized paragraph that holds only a link whose text
// is bracketed. Sanitized HTML is regular (every "<" starts a tag, links do
// not nest), so the label is what lies between "[" and "]" without a
// closing p or a.
var buttonRe = regexp.MustCompile(`<p><a href="([^"]*)"((?: title="[^"]*")?)>\[((?:[^<]|<[^/]|</[^pa])*?)\]</a></p>`)

// addButtons rewrites each button paragraph of sanitized HTML into the
// button's table; css gives its styles (the layout's) and color its cell's
// bgcolor.
func addButtons(s string, css map[string]string, color string) string {
	if !strings.Contains(s, `">[`) {
		return s
	}
	return buttonRe.ReplaceAllStringFunc(s, func(m string) string {
		g := buttonRe.FindStringSubmatch(m)
		var b strings.Builder
		b.WriteString(`<table role="presentation" class="button" cellpadding="0" cellspacing="0" border="0"`)
		writeStyle(&b, css["button-table"])
		b.WriteString(`><tr><td align="center" bgcolor="`)
		b.WriteString(color)
		b.WriteString(`"`)
		writeStyle(&b, css["button-td"])
		b.WriteString(`><a href="`)
		b.WriteString(g[1])
		b.WriteString(`"`)
		b.WriteString(g[2])
		b.WriteString(` target="_blank"`)
		writeStyle(&b, css["button-a"])
		b.WriteString(`>`)
		b.WriteString(g[3])
		b.WriteString(`</a></td></tr></table>`)
		return b.String()
	})
}

// writeStyle writes ` style="…"` (style already escaped), or a neutral
// empty style so that addInlineCSS leaves the element alone.
func writeStyle(b *strings.Builder, style string) {
	b.WriteString(` style="`)
	b.WriteString(style)
	b.WriteString(`"`)
}
