package render

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/mailtrail/mailtrail/internal/bytesize"
	"github.com/mailtrail/mailtrail/templates"
)

// collector walks the body once per message: it records the shape (how many
// times each section is expanded) and the cleaned value of each placeholder,
// in output order. Value i fills sentinel i of the skeleton for that shape.
type collector struct {
	r        *Renderer
	t        *templates.Template
	lenient  bool
	shape    []byte
	values   []string
	warnings []*templates.Error
	size     int
}

var collectors = sync.Pool{New: func() any { return &collector{} }}

func getCollector(r *Renderer, p *prepared, lenient bool) *collector {
	c := collectors.Get().(*collector)
	c.r, c.t, c.lenient = r, p.t, lenient
	return c
}

func putCollector(c *collector) {
	clear(c.values)
	c.r, c.t, c.shape, c.values, c.warnings, c.size = nil, nil, c.shape[:0], c.values[:0], nil, 0
	collectors.Put(c)
}

func (c *collector) Text(n *templates.Text) error {
	c.size += len(n.Text)
	return c.checkSize(n.Pos)
}

func (c *collector) checkSize(pos templates.Pos) error {
	if c.size > c.r.opts.MaxOutputSize {
		return c.t.Errorf(pos.Offset, templates.ErrTooLarge, "expanded template over the %s limit", bytesize.String(c.r.opts.MaxOutputSize))
	}
	return nil
}

func (c *collector) Var(n *templates.Var, v any, found bool) error {
	s, err := c.r.value(c.t, n, v, found, c.lenient, &c.warnings)
	if err != nil {
		return err
	}
	c.values = append(c.values, s)
	c.size += len(s)
	return c.checkSize(n.Pos)
}

func (c *collector) Section(n *templates.Section, count int) error {
	c.shape = binary.AppendUvarint(c.shape, uint64(count))
	return nil
}

// value resolves one placeholder's text: cleaned, size-checked, and in
// strict mode an error when missing or not a text value.
func (r *Renderer) value(t *templates.Template, n *templates.Var, v any, found, lenient bool, warnings *[]*templates.Error) (string, error) {
	s, ok := templates.FormatValue(v)
	if !found || !ok {
		msg := "no value for " + n.Tag()
		if found {
			msg = n.Tag() + " is an object or a list, not a text value"
		}
		e := t.Errorf(n.Pos.Offset, templates.ErrMissingValue, "%s", msg)
		if !lenient {
			return "", e
		}
		*warnings = append(*warnings, e)
		return "", nil
	}
	if len(s) > r.opts.MaxValueSize {
		return "", t.Errorf(n.Pos.Offset, templates.ErrTooLarge, "value of %s is %s, over the %s limit", n.Tag(), bytesize.String(len(s)), bytesize.String(r.opts.MaxValueSize))
	}
	return cleanValue(s), nil
}

// subject expands the subject with values verbatim.
func (r *Renderer) subject(p *prepared, data any, lenient bool, warnings *[]*templates.Error) (string, error) {
	if p.t.Subject == nil {
		return "", nil
	}
	s, ok := p.constSubject()
	if !ok {
		h := subjectWriter{r: r, t: p.t, lenient: lenient, warnings: warnings}
		if err := templates.Execute(p.t.Subject, data, &h); err != nil {
			return "", err
		}
		s = h.b.String()
	}
	// Placeholder values were checked one by one, so that an error names
	// the placeholder; what reaches a header is checked by the mailer's
	// header writer, the one owner of header safety.
	return s, nil
}

// preheader expands the front matter's preheader with values verbatim,
// line breaks as spaces.
func (r *Renderer) preheader(p *prepared, data any, lenient bool, warnings *[]*templates.Error) (string, error) {
	if len(p.t.Preheader) == 0 {
		return "", nil
	}
	h := subjectWriter{r: r, t: p.t, lenient: lenient, warnings: warnings, any: true}
	if err := templates.Execute(p.t.Preheader, data, &h); err != nil {
		return "", err
	}
	return strings.Join(strings.Fields(h.b.String()), " "), nil
}

type subjectWriter struct {
	any      bool // any value: not for a header (the preheader)
	r        *Renderer
	t        *templates.Template
	b        strings.Builder
	lenient  bool
	warnings *[]*templates.Error
}

func (h *subjectWriter) Text(n *templates.Text) error {
	h.b.WriteString(n.Text)
	return nil
}

func (h *subjectWriter) Var(n *templates.Var, v any, found bool) error {
	if s, ok := v.(string); ok && found && !h.any {
		if i := strings.IndexAny(s, "\r\n\x00"); i >= 0 {
			return h.t.Errorf(n.Pos.Offset, ErrUnsafeSubject, "value of %s would put %s into the subject", n.Tag(), strconv.QuoteRune(rune(s[i])))
		}
	}
	s, err := h.r.value(h.t, n, v, found, h.lenient, h.warnings)
	if err != nil {
		return err
	}
	h.b.WriteString(s)
	if h.b.Len() > h.r.opts.MaxValueSize {
		return h.t.Errorf(n.Pos.Offset, templates.ErrTooLarge, "subject over the %s limit", bytesize.String(h.r.opts.MaxValueSize))
	}
	return nil
}

func (h *subjectWriter) Section(*templates.Section, int) error { return nil }

// markdownWriter expands the body with a sentinel in place of each value.
// Its output depends only on the shape.
type markdownWriter struct {
	b      []byte
	prefix string
	n      int
	limit  int
	t      *templates.Template
}

func (w *markdownWriter) Text(n *templates.Text) error {
	w.b = append(w.b, n.Text...)
	return w.check(n.Pos)
}

func (w *markdownWriter) Var(n *templates.Var, v any, found bool) error {
	w.b = appendSentinel(w.b, w.prefix, w.n)
	w.n++
	return w.check(n.Pos)
}

func (w *markdownWriter) check(pos templates.Pos) error {
	if len(w.b) > w.limit {
		return w.t.Errorf(pos.Offset, templates.ErrTooLarge, "expanded template over the %s limit", bytesize.String(w.limit))
	}
	return nil
}

func (w *markdownWriter) Section(*templates.Section, int) error { return nil }

// appendSentinel writes sentinel i: the prefix, i in decimal, then "x".
func appendSentinel(b []byte, prefix string, i int) []byte {
	b = append(b, prefix...)
	b = strconv.AppendInt(b, int64(i), 10)
	return append(b, 'x')
}

// choosePrefix returns a sentinel prefix found nowhere in texts. It starts
// with the only upper-case letter it contains, so no suffix of it is also a
// prefix of it and a match can never straddle text and a sentinel.
func choosePrefix(texts ...string) string {
	for i := 0; ; i++ {
		p := fmt.Sprintf("Mtq%s", letters(i))
		clash := false
		for _, t := range texts {
			if strings.Contains(t, p) {
				clash = true
				break
			}
		}
		if !clash {
			return p
		}
	}
}

// letters spells i in base 26 with five lower-case letters.
func letters(i int) string {
	var b [5]byte
	for k := range b {
		b[k] = byte('a' + i%26)
		i /= 26
	}
	return string(b[:])
}
