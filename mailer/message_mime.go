package mailer

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"

	"github.com/mailtrail/mailtrail/render"
)

// body is the MIME structure of a message, planned: its top-level
// Content-Type, its boundaries and its leaves, encoded when written.
type body struct {
	contentType string
	size        int      // about the encoded size, to size buffers
	bounds      []string // level 0 the outermost, level 1 the nested alternative
	alts, atts  []leaf
}

// entity returns the body as a MIME entity of its own: its Content-Type
// field, a blank line and the encoded body; the content an S/MIME
// signature covers.
func (b *body) entity() ([]byte, error) {
	out, err := appendField(make([]byte, 0, 128+b.size), "Content-Type", b.contentType)
	if err != nil {
		return nil, err
	}
	buf := bytes.NewBuffer(append(out, '\r', '\n'))
	if err := b.write(buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encoding is a Content-Transfer-Encoding (RFC 2045 §6).
type encoding string

const (
	quotedPrintable encoding = "quoted-printable"
	base64Encoding  encoding = "base64"
)

// leaf is one part with content: an alternative or an attachment.
type leaf struct {
	contentType string // the Content-Type field value, folded when long
	disposition string // the Content-Disposition field value; "" for none
	enc         encoding
	content     string
}

// planBody plans the body of a message: the multipart/alternative (JSON,
// text, HTML; the last is preferred), inside a multipart/mixed with the
// attachments when there are any. boundary gives the boundary of each
// level: 0 the outermost, 1 the alternative inside the mixed.
func planBody(parts *render.Parts, placement JSONPlacement, files []file, boundary func(level int) string) (*body, error) {
	b := &body{alts: alternatives(parts, placement)}
	var err error
	if b.atts, err = attachments(parts, placement, files); err != nil {
		return nil, err
	}
	b.bounds = []string{boundary(0)}
	b.contentType = multipartType("alternative", b.bounds[0])
	if len(b.atts) > 0 {
		b.bounds = append(b.bounds, boundary(1))
		b.contentType = multipartType("mixed", b.bounds[0])
	}
	if err := checkBoundaries(b.bounds); err != nil {
		return nil, err
	}
	b.size = 512 * (len(b.alts) + len(b.atts))
	for _, l := range b.alts {
		// quoted-printable: sized for the usual text; append grows it.
		b.size += len(l.content) + len(l.content)/8
	}
	for _, l := range b.atts {
		b.size += len(l.content) * 139 / 100
	}
	return b, nil
}

// write appends the encoded body to buf with mime/multipart. The same plan
// always gives the same bytes.
func (b *body) write(buf *bytes.Buffer) error {
	w := newMIMEWriter(buf, b.bounds)
	top := multipart.NewWriter(buf)
	_ = top.SetBoundary(b.bounds[0]) // checked by planBody
	if len(b.atts) == 0 {
		return w.leaves(top, b.alts)
	}
	ct, err := foldedValue("Content-Type", multipartType("alternative", b.bounds[1]))
	if err != nil {
		return err
	}
	pw, err := top.CreatePart(textproto.MIMEHeader{"Content-Type": {ct}})
	if err != nil {
		return fmt.Errorf("assemble: %w", err)
	}
	alt := multipart.NewWriter(pw)
	_ = alt.SetBoundary(b.bounds[1])
	if err := w.leaves(alt, b.alts); err != nil {
		return err
	}
	return w.leaves(top, b.atts)
}

func multipartType(sub, boundary string) string {
	return "multipart/" + sub + `; boundary="` + boundary + `"`
}

// alternatives returns the parts of the multipart/alternative, in the
// order JSON (unless it is attached), text, HTML.
func alternatives(parts *render.Parts, placement JSONPlacement) []leaf {
	out := make([]leaf, 0, 3)
	if placement == JSONAlternative {
		out = append(out, leaf{contentType: "application/json; charset=UTF-8", enc: chooseEncoding(parts.JSON, true), content: string(parts.JSON)})
	}
	for _, p := range [...]struct{ ct, s string }{{"text/plain", parts.Text}, {"text/html", parts.HTML}} {
		l := leaf{contentType: p.ct + "; charset=UTF-8", enc: chooseEncodingString(p.s), content: p.s}
		// Text has CRLF line ends on the wire (RFC 2045 §6.8). Quoted-
		// printable writes every line end as CRLF itself, but a CR alone
		// before an encoded octet and an LF loses the LF, as
		// mime/quotedprintable does: such text is made canonical first.
		if l.enc == base64Encoding || strings.IndexByte(p.s, '\r') >= 0 {
			l.content = canonicalLines(l.content)
		}
		out = append(out, l)
	}
	return out
}

// attachments returns the attachment parts, data.json first when the JSON
// is attached: base64, with RFC 2231 file name parameters.
func attachments(parts *render.Parts, placement JSONPlacement, files []file) ([]leaf, error) {
	if placement == JSONAttachment {
		files = append([]file{{name: "data.json", contentType: "application/json", data: parts.JSON}}, files...)
	}
	out := make([]leaf, 0, len(files))
	for _, f := range files {
		ct, err := foldedValue("Content-Type", f.contentType+"; "+fileParam("name", f.name))
		if err != nil {
			return nil, fmt.Errorf("attachment %q: %w", f.name, err)
		}
		cd, err := foldedValue("Content-Disposition", "attachment; "+fileParam("filename", f.name))
		if err != nil {
			return nil, fmt.Errorf("attachment %q: %w", f.name, err)
		}
		out = append(out, leaf{contentType: ct, disposition: cd, enc: base64Encoding, content: string(f.data)})
	}
	return out, nil
}

// mimeWriter writes leaves into buf through multipart writers and checks
// that no encoded content holds a delimiter line of any boundary.
type mimeWriter struct {
	buf    *bytes.Buffer
	delims [][]byte             // "--" and each boundary
	h      textproto.MIMEHeader // reused for every part: CreatePart only reads it
}

func newMIMEWriter(buf *bytes.Buffer, bounds []string) *mimeWriter {
	w := &mimeWriter{
		buf: buf,
		h:   textproto.MIMEHeader{"Content-Type": {""}, "Content-Transfer-Encoding": {""}},
	}
	for _, b := range bounds {
		w.delims = append(w.delims, []byte("--"+b))
	}
	return w
}

// leaves writes each leaf as a part of mw, then closes mw.
func (w *mimeWriter) leaves(mw *multipart.Writer, ls []leaf) error {
	for _, l := range ls {
		w.h["Content-Type"][0] = l.contentType
		w.h["Content-Transfer-Encoding"][0] = string(l.enc)
		if l.disposition != "" {
			w.h["Content-Disposition"] = []string{l.disposition}
		} else {
			delete(w.h, "Content-Disposition")
		}
		pw, err := mw.CreatePart(w.h)
		if err != nil {
			return fmt.Errorf("assemble: %w", err)
		}
		start := w.buf.Len()
		// The encoders append to the buffer's free space, which the part
		// writer then hands to the same buffer (the AvailableBuffer idiom).
		enc := w.buf.AvailableBuffer()
		if l.enc == base64Encoding {
			enc = appendBase64Lines(enc, l.content)
		} else {
			enc = appendQP(enc, l.content)
		}
		if _, err := pw.Write(enc); err != nil {
			return fmt.Errorf("assemble: %w", err)
		}
		// The content may not hold a delimiter line (RFC 2046 §5.1.1).
		for _, d := range w.delims {
			if bytes.Contains(w.buf.Bytes()[start:], d) {
				return fmt.Errorf("assemble: boundary %q occurs in the message content", d[2:])
			}
		}
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("assemble: %w", err)
	}
	return nil
}

// checkBoundaries checks the boundaries of a message (RFC 2046 §5.1.1):
// each valid (which excludes quotes), none a prefix of another.
func checkBoundaries(bounds []string) error {
	for n, b := range bounds {
		if err := multipart.NewWriter(nil).SetBoundary(b); err != nil {
			return fmt.Errorf("assemble: boundary %q: %w", b, err)
		}
		for _, prev := range bounds[:n] {
			if strings.HasPrefix(b, prev) || strings.HasPrefix(prev, b) {
				return fmt.Errorf("assemble: boundaries %q and %q: one is a prefix of the other", prev, b)
			}
		}
	}
	return nil
}

// chooseEncoding picks the shorter of quoted-printable and base64 for a
// part. binary content (the JSON part, which is not text/* and so has no
// canonical line ends) that holds CR or LF is always base64, since
// quoted-printable turns every line end into CRLF and the bytes would not
// come back exactly.
func chooseEncoding(b []byte, binary bool) encoding {
	if binary && bytes.ContainsAny(b, "\r\n") {
		return base64Encoding
	}
	return chooseEncodingString(b)
}

// chooseEncodingString is chooseEncoding for text.
func chooseEncodingString[T string | []byte](s T) encoding {
	escaped := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t' && c != '\r' && c != '\n') || c == '=' || c > '~' {
			escaped++
		}
	}
	// quoted-printable grows by 2 octets per escaped octet, base64 by 1/3.
	if escaped*6 > len(s) {
		return base64Encoding
	}
	return quotedPrintable
}

// canonicalLines turns every line end of text (LF, CR or CRLF) into CRLF,
// the canonical form for text/* encoded in base64 (RFC 2045 §6.8).
func canonicalLines(text string) string {
	if !strings.ContainsAny(text, "\r\n") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + len(text)/32)
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '\r':
			b.WriteString("\r\n")
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
		case '\n':
			b.WriteString("\r\n")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// foldedValue returns value folded as the field name would fold it,
// without the name: for the part headers multipart.Writer writes.
func foldedValue(name, value string) (string, error) {
	b, err := appendField(nil, name, value)
	if err != nil {
		return "", err
	}
	return string(b[len(name)+2 : len(b)-2]), nil
}
