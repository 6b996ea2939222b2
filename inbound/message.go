package inbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/mail"
)

// Default limits of [Options].
const (
	DefaultMaxSize  = 25 << 20 // 25 MiB, the common limit of mail providers
	DefaultMaxParts = 1000
	DefaultMaxDepth = 20
	// DefaultMaxFields bounds the header fields kept per part: a real
	// header has a few dozen, Received lines included.
	DefaultMaxFields = 1000
)

// Options configures [ParseWith]. A nil *Options is the same as a zero
// Options: the defaults below.
type Options struct {
	// MaxSize is the largest message accepted, in bytes. Zero means
	// DefaultMaxSize (25 MiB). A larger message is refused with a
	// [*SizeError] after reading MaxSize+1 bytes, never more.
	MaxSize int64
	// MaxParts is the largest number of MIME parts parsed, the root
	// included. Zero means DefaultMaxParts (1000). Beyond it the parse is
	// cut short and [DefectPartLimit] recorded.
	MaxParts int
	// MaxDepth is the deepest nesting of multiparts and enclosed messages.
	// Zero means DefaultMaxDepth (20). A deeper part is kept whole as a
	// leaf and [DefectDepthLimit] recorded.
	MaxDepth int
	// MaxFields is the largest number of header fields kept per part.
	// Zero means DefaultMaxFields (1000). The lines of the fields beyond
	// it are read and dropped, and [DefectFieldLimit] recorded.
	MaxFields int
	// EnvelopeFrom is the SMTP MAIL FROM (return path) when the caller
	// knows it, as an SMTP server does. Empty means unknown: Message.From
	// then comes from the From header field.
	EnvelopeFrom string
	// EnvelopeTo is the SMTP RCPT TO list when known. Empty means
	// unknown: Message.To then comes from the To and Cc header fields.
	EnvelopeTo []string
}

func (o *Options) maxSize() int64 {
	if o == nil || o.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return o.MaxSize
}

func (o *Options) maxParts() int {
	if o == nil || o.MaxParts <= 0 {
		return DefaultMaxParts
	}
	return o.MaxParts
}

func (o *Options) maxFields() int {
	if o == nil || o.MaxFields <= 0 {
		return DefaultMaxFields
	}
	return o.MaxFields
}

func (o *Options) maxDepth() int {
	if o == nil || o.MaxDepth <= 0 {
		return DefaultMaxDepth
	}
	return o.MaxDepth
}

// Message is a parsed incoming message. Its JSON form (see
// [Message.MarshalJSON]) is the shape of the ASGI email draft.
type Message struct {
	// From is the envelope sender when known (Options.EnvelopeFrom), else
	// the bare address of the From header field; empty when neither is
	// there or the field cannot be read.
	From string
	// To lists the envelope recipients when known (Options.EnvelopeTo),
	// else the bare addresses of the To and Cc header fields.
	To []string
	// Header holds the top-level header fields with canonical keys and
	// raw values: unfolded, not RFC 2047-decoded. Repeated fields keep
	// every value in order. It is Content.Header.
	Header mail.Header
	// Content is the root of the MIME tree; its header is the message's.
	Content *Part
	// Defects lists every defect found anywhere in the tree, in the order
	// of [Message.Walk]; each is also on the part where it was found.
	Defects []Defect
	// Size is the length of the raw message in bytes.
	Size int
}

// Parse reads a raw RFC 5322 message with the default [Options]. See
// [ParseWith].
func Parse(r io.Reader) (*Message, error) { return ParseContext(context.Background(), r, nil) }

// ParseWith reads a raw RFC 5322 message (RFC 2045-2049 MIME) from r. It
// is liberal in what it accepts: any line endings (LF, CRLF, CR, mixed),
// 8-bit bytes, a leading mbox "From " line, a UTF-8 byte order mark or
// blank lines before the header (files saved by hand), and broken MIME,
// which is read as Python's email package (compat32 policy) reads it,
// with the problems listed as defects. It fails only when r fails, when
// the input is empty ([ErrEmpty]) or when it is larger than opts.MaxSize
// ([*SizeError]); the part and depth limits cut the parse short with a
// defect instead. The whole message is held in memory, and the time
// taken is linear in its size.
func ParseWith(r io.Reader, opts *Options) (*Message, error) {
	return ParseContext(context.Background(), r, opts)
}

// ParseContext is [ParseWith] with a context: when ctx is done, reading
// stops before the next Read of r and parsing within a thousand lines or
// one part's decoding, and the error wraps ctx.Err(). (A Read that blocks
// is not interrupted: give r a deadline of its own.)
func ParseContext(ctx context.Context, r io.Reader, opts *Options) (*Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("inbound: parse: %w", err)
	}
	data, err := ReadRaw(ctx, r, opts)
	if err != nil {
		return nil, err
	}
	return ParseBytes(ctx, data, opts)
}

// ReadRaw reads a raw message from r as [ParseContext] does, for a caller
// that needs the bytes too (to check signatures) and then parses them with
// [ParseBytes]: at most opts.MaxSize bytes ([*SizeError] past it, after
// reading one byte more), into one buffer of the right size when r knows
// its length (a regular file, a bytes.Reader), stopping when ctx is done.
func ReadRaw(ctx context.Context, r io.Reader, opts *Options) ([]byte, error) {
	max := opts.maxSize()
	data, err := readAll(ctxReader{ctx, r}, sizeHint(r), max+1)
	if err != nil {
		return nil, fmt.Errorf("inbound: read message: %w", err)
	}
	if int64(len(data)) > max {
		return nil, &SizeError{Limit: max}
	}
	return data, nil
}

// ParseBytes is [ParseContext] on a message already in memory. It reads
// data in place, without copying it: the Message shares its memory (a
// body without transfer encoding is a slice of data), so data must not
// change while the Message is in use.
func ParseBytes(ctx context.Context, data []byte, opts *Options) (*Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("inbound: parse: %w", err)
	}
	if max := opts.maxSize(); int64(len(data)) > max {
		return nil, &SizeError{Limit: max}
	}
	m, err := parseBytes(ctx, data, opts)
	if err != nil && !errors.Is(err, ErrEmpty) {
		return nil, fmt.Errorf("inbound: parse: %w", err)
	}
	return m, err
}

// ctxReader stops reading once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// sizeHint returns the length r will give, when it knows it (a
// bytes.Reader, a strings.Reader, a bytes.Buffer, a regular file), else -1.
func sizeHint(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case interface{ Stat() (fs.FileInfo, error) }:
		fi, err := v.Stat()
		if err == nil && fi.Mode().IsRegular() {
			if s, ok := r.(io.Seeker); ok {
				if off, err := s.Seek(0, io.SeekCurrent); err == nil {
					return max(fi.Size()-off, 0)
				}
			}
		}
	}
	return -1
}

// readAll reads r to its end, at most limit octets. When the length is
// known (hint ≥ 0: bytes.Reader, strings.Reader, bytes.Buffer, a regular
// file) the message is read into one buffer of that size instead of one
// that grows as it fills (which allocated several times the message).
func readAll(r io.Reader, hint, limit int64) ([]byte, error) {
	r = io.LimitReader(r, limit)
	if hint < 0 {
		return io.ReadAll(r)
	}
	// One byte of room beyond the hint lets the final Read see the end
	// without growing the buffer.
	buf := make([]byte, 0, min(hint, limit)+1)
	for {
		if len(buf) == cap(buf) { // the hint was short: grow as ReadAll does
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func parseBytes(ctx context.Context, data []byte, opts *Options) (*Message, error) {
	// QUIRK: a file saved from an editor may open with a UTF-8 byte order
	// mark or blank lines; neither can start a header field, and read as
	// written they would make the whole message a headerless body.
	text := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), "\r\n")
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, ErrEmpty
	}
	p := &parser{
		r:         lineReader{buf: text, stop: &stopper{ctx: ctx}},
		maxParts:  opts.maxParts(),
		maxDepth:  opts.maxDepth(),
		maxFields: opts.maxFields(),
	}
	root := p.parsePart(0, "text/plain")
	if err := p.r.stop.check(); err != nil {
		return nil, err
	}
	m := &Message{Header: root.Header, Content: root, Size: len(data)}
	root.Walk(func(pt *Part) error {
		m.Defects = append(m.Defects, pt.Defects...)
		return nil
	})
	if opts != nil && opts.EnvelopeFrom != "" {
		m.From = opts.EnvelopeFrom
	} else if list := addressList(root.Header.Get("From")); len(list) > 0 {
		m.From = list[0]
	}
	if opts != nil && len(opts.EnvelopeTo) > 0 {
		m.To = append([]string(nil), opts.EnvelopeTo...)
	} else {
		for _, k := range []string{"To", "Cc"} {
			for _, v := range root.Header[k] {
				m.To = append(m.To, addressList(v)...)
			}
		}
	}
	return m, nil
}

// Subject returns the Subject header field, RFC 2047-decoded.
func (m *Message) Subject() string { return DecodeHeader(m.Header.Get("Subject")) }

// Walk calls fn for every part of the message, depth first, the root
// first. See [Part.Walk].
func (m *Message) Walk(fn func(*Part) error) error {
	if m == nil || m.Content == nil {
		return nil
	}
	return m.Content.Walk(fn)
}
