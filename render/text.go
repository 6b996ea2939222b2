package render

import (
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// URL spans are marked in-band while blocks are assembled (templates cannot
// contain these control characters) and turned into offsets at the end.
const (
	urlOpen  = '\x01'
	urlClose = '\x02'
)

// renderText writes the Markdown document back as plain text that reads like
// its source; see the package documentation for the exact form. It returns
// the text and the byte ranges that hold link URLs.
func renderText(doc ast.Node, src []byte) (string, [][2]int) {
	t := textRenderer{src: src}
	out := strings.TrimRight(t.container(doc, "\n\n"), " \t\n")
	if out != "" {
		out += "\n"
	}
	// Resolve the URL markers into ranges.
	var urls [][2]int
	var b strings.Builder
	b.Grow(len(out))
	start := -1
	for i := 0; i < len(out); i++ {
		switch out[i] {
		case urlOpen:
			start = b.Len()
		case urlClose:
			if start >= 0 {
				urls = append(urls, [2]int{start, b.Len()})
			}
			start = -1
		default:
			b.WriteByte(out[i])
		}
	}
	return b.String(), urls
}

type textRenderer struct {
	src []byte
}

// container renders the block children of n joined by sep.
func (t *textRenderer) container(n ast.Node, sep string) string {
	var parts []string
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if s, ok := t.block(c); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, sep)
}

func (t *textRenderer) block(n ast.Node) (string, bool) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		if s, ok := t.button(n); ok {
			return s, true
		}
		s := strings.TrimRight(t.inlines(n), " \t\n")
		return s, s != ""
	case *ast.Heading:
		return strings.Repeat("#", n.Level) + " " + strings.TrimSpace(t.inlines(n)), true
	case *ast.ThematicBreak:
		return "---", true
	case *ast.CodeBlock:
		return prefixLines(strings.TrimRight(t.lines(n), "\n"), "    ", "    "), true
	case *ast.FencedCodeBlock:
		info := ""
		if n.Info != nil {
			info = string(n.Info.Segment.Value(t.src))
		}
		return "```" + info + "\n" + t.lines(n) + "```", true
	case *ast.Blockquote:
		return prefixLines(t.container(n, "\n\n"), "> ", "> "), true
	case *ast.List:
		return t.list(n), true
	case *east.Table:
		return t.table(n), true
	case *ast.HTMLBlock, *ast.LinkReferenceDefinition:
		return "", false
	}
	if n.HasChildren() {
		s := t.container(n, "\n\n")
		return s, s != ""
	}
	return "", false
}

// button renders a paragraph that holds only a link with a bracketed text
// (the call-to-action button, see addButtons) as "Label: URL".
func (t *textRenderer) button(n ast.Node) (string, bool) {
	l, ok := n.FirstChild().(*ast.Link)
	if !ok || l.NextSibling() != nil || !safeURL(string(l.Destination)) {
		return "", false
	}
	label := t.inlines(l)
	if len(label) < 3 || label[0] != '[' || label[len(label)-1] != ']' {
		return "", false
	}
	var b strings.Builder
	b.WriteString(strings.TrimSpace(label[1:len(label)-1]) + ": ")
	writeURLSpan(&b, string(l.Destination))
	return b.String(), true
}

// lines returns a code block's lines verbatim.
func (t *textRenderer) lines(n ast.Node) string {
	var b strings.Builder
	l := n.Lines()
	for i := 0; i < l.Len(); i++ {
		seg := l.At(i)
		b.Write(seg.Value(t.src))
	}
	return b.String()
}

func (t *textRenderer) list(l *ast.List) string {
	var items []string
	num := l.Start
	for it := l.FirstChild(); it != nil; it = it.NextSibling() {
		marker := string(l.Marker) + " "
		if l.IsOrdered() {
			marker = strconv.Itoa(num) + string(l.Marker) + " "
			num++
		}
		sep := "\n\n"
		if l.IsTight {
			sep = "\n"
		}
		body := t.container(it, sep)
		items = append(items, prefixLines(body, marker, strings.Repeat(" ", len(marker))))
	}
	if l.IsTight {
		return strings.Join(items, "\n")
	}
	return strings.Join(items, "\n\n")
}

func (t *textRenderer) table(n *east.Table) string {
	var rows []string
	for r := n.FirstChild(); r != nil; r = r.NextSibling() {
		var cells []string
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, strings.TrimSpace(strings.ReplaceAll(t.inlines(c), "\n", " ")))
		}
		rows = append(rows, "| "+strings.Join(cells, " | ")+" |")
		if _, ok := r.(*east.TableHeader); ok {
			seps := make([]string, len(cells))
			for i := range seps {
				seps[i] = "---"
			}
			rows = append(rows, "| "+strings.Join(seps, " | ")+" |")
		}
	}
	return strings.Join(rows, "\n")
}

// prefixLines puts first before the first line and rest before the others;
// blank lines get the prefix without its trailing spaces.
func prefixLines(s, first, rest string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		p := rest
		if i == 0 {
			p = first
		}
		if l == "" {
			lines[i] = strings.TrimRight(p, " ")
			if i == 0 {
				lines[i] = first
			}
			continue
		}
		lines[i] = p + l
	}
	return strings.Join(lines, "\n")
}

func (t *textRenderer) inlines(n ast.Node) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		t.inline(&b, c)
	}
	return b.String()
}

func (t *textRenderer) inline(b *strings.Builder, n ast.Node) {
	switch n := n.(type) {
	case *ast.Text:
		v := n.Segment.Value(t.src)
		if !n.IsRaw() {
			v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
		}
		b.Write(v)
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.WriteByte('\n')
		}
	case *ast.String:
		b.Write(n.Value)
	case *ast.CodeSpan:
		b.WriteByte('`')
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if x, ok := c.(*ast.Text); ok {
				b.Write(x.Segment.Value(t.src))
			} else if x, ok := c.(*ast.String); ok {
				b.Write(x.Value)
			}
		}
		b.WriteByte('`')
	case *ast.Emphasis:
		m := strings.Repeat(string(t.emphasisMark(n)), n.Level)
		b.WriteString(m)
		b.WriteString(t.inlines(n))
		b.WriteString(m)
	case *east.Strikethrough:
		b.WriteString("~~" + t.inlines(n) + "~~")
	case *ast.Link:
		label := t.inlines(n)
		dest := string(n.Destination)
		switch {
		case !safeURL(dest):
			b.WriteString(label)
		case label == dest || "mailto:"+label == dest:
			writeURLSpan(b, label)
		case label == "":
			writeURLSpan(b, dest)
		default:
			b.WriteString(label + " (")
			writeURLSpan(b, dest)
			b.WriteString(")")
		}
	case *ast.AutoLink:
		writeURLSpan(b, string(n.Label(t.src)))
	case *ast.Image:
		b.WriteString(t.inlines(n))
	case *ast.RawHTML:
		// dropped, as in HTML
	default:
		b.WriteString(t.inlines(n))
	}
}

func writeURLSpan(b *strings.Builder, u string) {
	b.WriteByte(urlOpen)
	b.WriteString(u)
	b.WriteByte(urlClose)
}

// emphasisMark returns the "*" or "_" the author used, read from the source
// just before the emphasis's first text.
func (t *textRenderer) emphasisMark(n *ast.Emphasis) byte {
	for c := ast.Node(n); c != nil; c = c.FirstChild() {
		if x, ok := c.(*ast.Text); ok {
			if s := x.Segment.Start; s > 0 && s <= len(t.src) && t.src[s-1] == '_' {
				return '_'
			}
			break
		}
	}
	return '*'
}

// safeURL reports whether a link may be shown: relative, or http, https or
// mailto (the schemes the HTML policy keeps).
func safeURL(u string) bool {
	for i := 0; i < len(u); i++ {
		switch c := u[i]; {
		case c == ':':
			scheme := strings.ToLower(u[:i])
			return scheme == "http" || scheme == "https" || scheme == "mailto"
		case c == '/' || c == '?' || c == '#':
			return true
		}
	}
	return true
}
