package reply

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLText turns an HTML body into plain text for reading a reply: script,
// style and head are dropped; block elements (p, div, br, li, tr, headings,
// tables) end lines; white space collapses as a browser collapses it
// (except in pre); a blockquote's lines get a "> " prefix, so that
// [StripQuote] treats them as quoted; <hr> becomes a rule of underscores.
// The containers in which mail clients put the quoted original or the
// signature (Gmail's gmail_quote and gmail_signature, Yahoo's
// yahoo_quoted, Thunderbird's moz-signature, Outlook for Mac's
// OLK_SRC_BODY_SECTION) are dropped. HTMLText never fails: HTML is parsed
// as browsers parse it (golang.org/x/net/html).
func HTMLText(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return ""
	}
	var w htmlWriter
	w.node(doc, false)
	return tidyText(w.b.String())
}

type htmlWriter struct {
	b     strings.Builder
	quote int // blockquote depth: lines get a ">" each
}

// text writes s, starting a line with the quote prefix when inside a
// blockquote. One pass, so nesting costs no more than the text.
func (w *htmlWriter) text(s string) {
	for s != "" {
		if w.quote > 0 && (w.b.Len() == 0 || strings.HasSuffix(w.b.String(), "\n")) {
			if strings.TrimLeft(s, " ") == "" {
				return
			}
			w.b.WriteString(strings.Repeat(">", w.quote) + " ")
			s = strings.TrimLeft(s, " ")
		}
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			w.b.WriteString(s)
			return
		}
		w.b.WriteString(s[:i+1])
		s = s[i+1:]
	}
}

func (w *htmlWriter) newline() {
	s := w.b.String()
	if len(s) > 0 && !strings.HasSuffix(s, "\n") {
		w.b.WriteByte('\n')
	}
}

func (w *htmlWriter) paragraph() {
	w.newline()
	if !strings.HasSuffix(w.b.String(), "\n\n") && w.b.Len() > 0 {
		w.b.WriteByte('\n')
	}
}

// dropped reports whether an element holds only quoted history, a
// signature or nothing to read.
func dropped(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Title, atom.Noscript, atom.Template, atom.Object, atom.Iframe:
		return true
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "class":
			for _, c := range strings.Fields(a.Val) {
				switch strings.ToLower(c) {
				case "gmail_quote", "gmail_signature", "yahoo_quoted", "moz-signature", "protonmail_quote", "gmail_quote_container":
					return true
				}
			}
		case "id":
			switch strings.ToLower(a.Val) {
			case "olk_src_body_section", "signature", "appendonsend":
				return true
			}
		}
	}
	return false
}

func (w *htmlWriter) node(n *html.Node, pre bool) {
	switch n.Type {
	case html.TextNode:
		if pre {
			w.text(n.Data)
		} else {
			w.text(collapseSpace(n.Data))
		}
		return
	case html.ElementNode:
		if dropped(n) {
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	switch n.DataAtom {
	case atom.Br:
		w.b.WriteByte('\n')
		return
	case atom.Hr:
		w.paragraph()
		w.text("________________________________\n")
		return
	case atom.Blockquote:
		w.paragraph()
		w.quote++
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.node(c, pre)
		}
		w.quote--
		w.paragraph()
		return
	case atom.Pre:
		pre = true
	}
	block, para := blockKind(n.DataAtom)
	if para {
		w.paragraph()
	} else if block {
		w.newline()
	}
	if n.DataAtom == atom.Li {
		w.text("- ")
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c, pre)
	}
	if para {
		w.paragraph()
	} else if block {
		w.newline()
	} else if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
		w.b.WriteByte(' ')
	}
}

func blockKind(a atom.Atom) (block, para bool) {
	switch a {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Ul, atom.Ol, atom.Pre, atom.Dl:
		return true, true
	case atom.Div, atom.Li, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Address,
		atom.Dt, atom.Dd, atom.Center, atom.Form, atom.Fieldset, atom.Main, atom.Nav, atom.Aside, atom.Figure, atom.Caption, atom.Body:
		return true, false
	}
	return false, false
}

var spaceRE = regexp.MustCompile(`[ \t\r\n\f]+`)

// collapseSpace collapses runs of HTML white space to one space; the
// no-break space (U+00A0) is text and stays.
func collapseSpace(s string) string { return spaceRE.ReplaceAllString(s, " ") }

// tidyText trims every line and keeps at most one blank line in a row.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := true // drops leading blank lines
	for _, l := range lines {
		l = strings.Trim(l, " \t\u00a0")
		if l == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}
