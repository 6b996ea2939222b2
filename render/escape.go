package render

import (
	"net/url"
	"strings"
)

// writeHTML writes s HTML-escaped as html.EscapeString does (& < > " ').
// With br, each line feed becomes "<br>" followed by the line feed.
func writeHTML(b *strings.Builder, s string, br bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&#34;"
		case '\'':
			rep = "&#39;"
		case '\n':
			if !br {
				continue
			}
			rep = "<br>\n"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	b.WriteString(s[last:])
}

func escapeAttr(s string) string {
	var b strings.Builder
	writeHTML(&b, s, false)
	return b.String()
}

// writeTemplateHTML writes s escaped as html/template escapes a string in
// HTML text or a quoted attribute (it also encodes "+").
func writeTemplateHTML(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&#34;"
		case '\'':
			rep = "&#39;"
		case '+':
			rep = "&#43;"
		case 0:
			rep = "\uFFFD"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	b.WriteString(s[last:])
}

const hexDigits = "0123456789ABCDEF"

// writeURLComponent percent-encodes every byte of s except the RFC 3986
// unreserved characters (and "@" when keepAt), so the value cannot end a
// path segment, start a query or fragment, or form a scheme.
func writeURLComponent(b *strings.Builder, s string, keepAt bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || keepAt && c == '@' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
}

// urlKind tells how a value placed in a URL is encoded, from the part of the
// URL written before it.
func urlKind(before string) slotKind {
	lower := strings.ToLower(before)
	switch {
	case strings.ContainsAny(before, "?#"):
		if strings.Contains(before, "?") && !strings.Contains(before[strings.IndexByte(before, '?'):], "#") {
			return slotQuery
		}
		return slotURL
	case strings.HasPrefix(lower, "mailto:"):
		return slotMailto
	}
	return slotURL
}

// writeValue writes value v in the context of kind.
func writeValue(b *strings.Builder, v string, kind slotKind) {
	switch kind {
	case slotText:
		writeHTML(b, v, true)
	case slotPre, slotAttr:
		writeHTML(b, v, false)
	case slotURL:
		writeURLComponent(b, v, false)
	case slotMailto:
		writeURLComponent(b, v, true)
	case slotQuery:
		b.WriteString(url.QueryEscape(v))
	case slotVerbatim:
		b.WriteString(v)
	case slotDrop:
	}
}
