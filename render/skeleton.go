package render

import (
	"html"
	"strings"
)

// slotKind is the context a value is written in.
type slotKind uint8

const (
	slotText     slotKind = iota // HTML text: escaped, newlines as <br>
	slotPre                      // HTML text inside <pre>: escaped
	slotAttr                     // HTML attribute value: escaped
	slotURL                      // URL path, fragment or whole URL: percent-encoded
	slotQuery                    // URL query: url.QueryEscape
	slotMailto                   // mailto: address: percent-encoded, "@" kept
	slotVerbatim                 // text part: as is
	slotDrop                     // a sentinel in no usable context: nothing
)

type slot struct {
	val  int
	kind slotKind
}

// chunks is literal text with value slots between: lit[0] slot[0] lit[1] …
type chunks struct {
	lit     []string
	slots   []slot
	litSize int
}

func (c *chunks) add(lit string, s slot) {
	c.lit = append(c.lit, lit)
	c.slots = append(c.slots, s)
	c.litSize += len(lit)
}

func (c *chunks) end(lit string) {
	c.lit = append(c.lit, lit)
	c.litSize += len(lit)
}

// size estimates the filled length.
func (c *chunks) size(values []string) int {
	n := c.litSize
	for _, s := range c.slots {
		n += len(values[s.val]) + len(values[s.val])/8
	}
	return n
}

func (c *chunks) writeTo(b *strings.Builder, values []string) {
	for i, s := range c.slots {
		b.WriteString(c.lit[i])
		writeValue(b, values[s.val], s.kind)
	}
	b.WriteString(c.lit[len(c.lit)-1])
}

func (c *chunks) fill(values []string) string {
	var b strings.Builder
	b.Grow(c.size(values))
	c.writeTo(&b, values)
	return b.String()
}

// sentinelAt parses the sentinel starting at s[k:] (which starts with
// prefix) and returns its index and end.
func sentinelAt(s string, k int, prefix string, n int) (idx, end int, ok bool) {
	j := k + len(prefix)
	idx = 0
	digits := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' && digits < 9 {
		idx = idx*10 + int(s[j]-'0')
		j++
		digits++
	}
	if digits == 0 || j >= len(s) || s[j] != 'x' || idx >= n {
		return 0, 0, false
	}
	return idx, j + 1, true
}

// found is one sentinel occurrence in rendered output.
type found struct {
	start, end int
	slot       slot
}

// splitAt turns occurrences (in order) into chunks.
func splitAt(s string, occ []found) chunks {
	var c chunks
	last := 0
	for _, o := range occ {
		c.add(s[last:o.start], o.slot)
		last = o.end
	}
	c.end(s[last:])
	return c
}

// splitHTML splits sanitized HTML at the sentinels, giving each the context
// it sits in. Sanitized HTML is regular: every "<" starts a tag (text has
// "&lt;"), attribute values are double-quoted and escaped, there are no
// comments; so a plain scan is enough.
func splitHTML(s, prefix string, n int) chunks {
	var occ []found
	pre := 0
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			kind := slotText
			if pre > 0 {
				kind = slotPre
			}
			occ = findIn(s, i, i+j, prefix, n, occ, func(int) slotKind { return kind })
			i += j
			continue
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			j = len(s) - i - 1
		}
		tag := s[i : i+j+1]
		name := tagName(tag)
		switch name {
		case "pre":
			pre++
		case "/pre":
			if pre > 0 {
				pre--
			}
		}
		occ = tagSentinels(s, i, tag, prefix, n, occ)
		i += j + 1
	}
	return splitAt(s, occ)
}

// findIn appends the sentinels in s[from:to], with kind telling each one's
// context from its offset.
func findIn(s string, from, to int, prefix string, n int, occ []found, kind func(k int) slotKind) []found {
	for k := from; k < to; {
		j := strings.Index(s[k:to], prefix)
		if j < 0 {
			break
		}
		k += j
		idx, end, ok := sentinelAt(s[:to], k, prefix, n)
		if !ok {
			k += len(prefix)
			continue
		}
		occ = append(occ, found{k, end, slot{idx, kind(k)}})
		k = end
	}
	return occ
}

func tagName(tag string) string {
	i := 1
	if i < len(tag) && tag[i] == '/' {
		i++
	}
	for i < len(tag) && tag[i] != ' ' && tag[i] != '>' && tag[i] != '/' {
		i++
	}
	return strings.ToLower(tag[1:i])
}

// tagSentinels finds sentinels inside one tag starting at s[at:]: inside an
// attribute value they get that attribute's context, anywhere else they are
// dropped.
func tagSentinels(s string, at int, tag, prefix string, n int, occ []found) []found {
	if !strings.Contains(tag, prefix) {
		return occ
	}
	i := 1
	for i < len(tag) && tag[i] != ' ' && tag[i] != '>' {
		i++
	}
	for i < len(tag) {
		for i < len(tag) && (tag[i] == ' ' || tag[i] == '/') {
			i++
		}
		ns := i
		for i < len(tag) && tag[i] != '=' && tag[i] != ' ' && tag[i] != '>' {
			i++
		}
		attr := strings.ToLower(tag[ns:i])
		if i >= len(tag) || tag[i] != '=' {
			if i < len(tag) && tag[i] == '>' {
				break
			}
			i++
			continue
		}
		i++ // '='
		if i >= len(tag) || tag[i] != '"' {
			break // not the regular form: leave the rest to the drop pass
		}
		vs := i + 1
		ve := strings.IndexByte(tag[vs:], '"')
		if ve < 0 {
			break
		}
		ve += vs
		val := tag[vs:ve]
		occ = findIn(s, at+vs, at+ve, prefix, n, occ, func(k int) slotKind {
			if attr == "href" || attr == "src" || attr == "cite" {
				return urlKind(html.UnescapeString(val[:k-at-vs]))
			}
			return slotAttr
		})
		i = ve + 1
	}
	// Anything left in the tag outside attribute values is dropped.
	var in []found
	in = findIn(s, at, at+len(tag), prefix, n, in, func(int) slotKind { return slotDrop })
	for _, o := range in {
		dup := false
		for _, p := range occ {
			if p.start == o.start {
				dup = true
				break
			}
		}
		if !dup {
			occ = insertSorted(occ, o)
		}
	}
	return occ
}

func insertSorted(occ []found, o found) []found {
	i := len(occ)
	for i > 0 && occ[i-1].start > o.start {
		i--
	}
	occ = append(occ, found{})
	copy(occ[i+1:], occ[i:])
	occ[i] = o
	return occ
}

// splitText splits the rendered text part: sentinels inside a link's URL
// (the ranges in urls) are URL-encoded, others are verbatim.
func splitText(s string, urls [][2]int, prefix string, n int) chunks {
	occ := findIn(s, 0, len(s), prefix, n, nil, func(k int) slotKind {
		for _, u := range urls {
			if k >= u[0] && k < u[1] {
				return urlKind(s[u[0]:k])
			}
		}
		return slotVerbatim
	})
	return splitAt(s, occ)
}
