package inbound

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/mailtrail/mailtrail/internal/charset"
)

// Part is one node of the MIME tree. A multipart has Parts and no Body; a
// message/rfc822 (or message/global, message/news, message/external-body)
// part has the enclosed message, parsed, as its only element of Parts and
// the same message as written in Body; any other part has a Body.
type Part struct {
	// ContentType is the media type, lower-cased, without parameters, as
	// "text/plain". A part without a usable Content-Type field gets the
	// RFC 2045 default: text/plain, or message/rfc822 inside a
	// multipart/digest (RFC 2046 section 5.1.5).
	ContentType string
	// Parts are the sub-parts, in order.
	Parts []*Part
	// Body is the content with the Content-Transfer-Encoding (base64,
	// quoted-printable) removed, in its declared charset: see [Part.Text]
	// for UTF-8. Nil for a multipart that has Parts.
	Body []byte

	// Header holds the part's header fields: canonical keys, raw values.
	Header mail.Header
	// Fields lists the header fields in order as written, names unchanged.
	Fields []Field
	// Params holds the Content-Type parameters, names lower-cased, values
	// unquoted and RFC 2231-decoded.
	Params map[string]string
	// Charset is the lower-cased charset parameter; empty when not given.
	Charset string
	// Boundary is the boundary parameter of a multipart.
	Boundary string
	// Disposition is the lower-cased Content-Disposition type, as
	// "attachment" or "inline"; empty when not given.
	Disposition string
	// Filename is the filename of Content-Disposition, else the name of
	// Content-Type, RFC 2231- and RFC 2047-decoded; empty when neither.
	Filename string
	// Encoding is the lower-cased Content-Transfer-Encoding; empty when
	// not given.
	Encoding string
	// DefaultType reports that the part had no Content-Type field and
	// ContentType is the default.
	DefaultType bool
	// Preamble and Epilogue are the text before the first and after the
	// last boundary of a multipart, without the line breaks that belong to
	// the boundaries; nil when absent.
	Preamble, Epilogue []byte
	// Defects lists the problems found in this part.
	Defects []Defect

	raw []byte // the body before transfer decoding, while parsing
}

// Field is one header field as written.
type Field struct {
	Name  string // as written
	Value string // unfolded, raw (not RFC 2047-decoded)
}

// SkipParts, returned by a Walk function, skips the sub-parts of the part
// just visited; Walk then goes on with the next part. Like [io/fs.SkipDir] it
// is a signal, not a failure, hence its name.
//
//lint:ignore ST1012 named like fs.SkipDir: a signal to Walk, not an error condition
var SkipParts = errors.New("inbound: skip parts")

// Walk calls fn for p and every part below it, depth first, in order. An
// error from fn stops the walk and is returned, except [SkipParts].
func (p *Part) Walk(fn func(*Part) error) error {
	err := p.walk(fn)
	if errors.Is(err, SkipParts) {
		return nil
	}
	return err
}

func (p *Part) walk(fn func(*Part) error) error {
	if p == nil {
		return nil
	}
	if err := fn(p); err != nil {
		if errors.Is(err, SkipParts) {
			return nil
		}
		return err
	}
	for _, c := range p.Parts {
		if err := c.walk(fn); err != nil {
			return err
		}
	}
	return nil
}

// MainType returns the part of ContentType before the slash, as "text".
func (p *Part) MainType() string {
	t, _, _ := strings.Cut(p.ContentType, "/")
	return t
}

// SubType returns the part of ContentType after the slash, as "plain".
func (p *Part) SubType() string {
	_, s, _ := strings.Cut(p.ContentType, "/")
	return s
}

// IsMultipart reports whether p has sub-parts.
func (p *Part) IsMultipart() bool { return len(p.Parts) > 0 }

// IsMessage reports whether the part is an enclosed message
// (message/rfc822, message/global, message/news, message/external-body):
// a forward or a bounced original, whose Parts hold the message parsed.
func (p *Part) IsMessage() bool { return nested(p.ContentType) }

// IsAttachment reports whether the part is marked as an attachment
// (Content-Disposition: attachment).
func (p *Part) IsAttachment() bool { return p.Disposition == "attachment" }

// Text returns the body decoded from its charset to UTF-8 with line
// endings turned into "\n". A part without a charset is read as UTF-8
// when valid, else as Windows-1252; so is a part with an unknown charset,
// in which case the error wraps [ErrUnknownCharset] and the text is still
// usable.
func (p *Part) Text() (string, error) {
	var b strings.Builder
	b.Grow(len(p.Body))
	err := p.writeText(&b)
	return b.String(), err
}

// writeText writes what Text returns to w, in pieces: the decoded text is
// never held whole. The error is w's, or one wrapping ErrUnknownCharset
// once the whole text is written.
func (p *Part) writeText(w io.Writer) error {
	known, err := charset.DecodeTo(&lfWriter{w: w}, p.Body, p.Charset)
	if err != nil {
		return err
	}
	if !known {
		return fmt.Errorf("%w %q", ErrUnknownCharset, p.Charset)
	}
	return nil
}

// HeaderValue returns the first value of the named field, RFC
// 2047-decoded; empty when absent.
func (p *Part) HeaderValue(name string) string { return DecodeHeader(p.Header.Get(name)) }

// lfWriter writes to w with CRLF and lone CR turned into LF, as
// strings.ReplaceAll would in two passes; a CRLF split between two writes
// is seen as one.
type lfWriter struct {
	w  io.Writer
	cr bool // the last byte written was a CR (written as LF)
}

var lf = []byte{'\n'}

func (l *lfWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if l.cr && p[0] == '\n' {
			p = p[1:] // the LF of a CRLF whose CR is written
		}
		l.cr = false
		i := bytes.IndexByte(p, '\r')
		if i < 0 {
			_, err := l.w.Write(p)
			return n, err
		}
		if _, err := l.w.Write(p[:i]); err != nil {
			return n, err
		}
		if _, err := l.w.Write(lf); err != nil {
			return n, err
		}
		l.cr = true
		p = p[i+1:]
	}
	return n, nil
}
