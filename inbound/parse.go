package inbound

import (
	"strings"

	"github.com/mailtrail/mailtrail/internal/charset"
)

// The parser follows the algorithm of Python's email.feedparser (compat32
// policy) line for line where MIME is broken, so that a broken message is
// read the way a widely used lenient parser reads it: a stack of the
// boundaries of the enclosing multiparts, where a line matching any of
// them ends the current part (RFC 2046 section 5.1.1 says only the
// innermost should, but real messages reuse boundaries).
//
// It holds the whole message and works on offsets into it: every line is
// looked at once per enclosing boundary, so the time is linear in the size
// times the depth, and the depth is bounded by Options.MaxDepth. Header
// fields are unfolded into one growing buffer (fieldReader), never by
// concatenating strings, which made a header folded over many lines cost
// time quadratic in its length.

type parser struct {
	r         lineReader
	count     int
	maxParts  int
	maxDepth  int
	maxFields int
	last      *Part // the part created last
}

// nested reports whether a part of this type holds an enclosed message.
// message/delivery-status and the other message/* types made of header
// blocks, or fragments, stay leaves.
func nested(ct string) bool {
	switch ct {
	case "message/rfc822", "message/global", "message/news", "message/external-body":
		return true
	}
	return false
}

// parsePart parses one part (headers and body) from the current line up to
// the end as lineReader defines it.
func (p *parser) parsePart(depth int, defaultType string) *Part {
	p.count++
	pt := &Part{}
	p.last = pt
	p.readHeader(pt, defaultType)
	switch {
	case !strings.HasPrefix(pt.ContentType, "multipart/") && !nested(pt.ContentType):
		pt.raw = p.r.rest()
	case depth >= p.maxDepth:
		pt.Defects = append(pt.Defects, DefectDepthLimit)
		pt.raw = p.r.rest()
	case nested(pt.ContentType):
		p.parseEnclosed(pt, depth)
	default:
		p.parseMultipart(pt, depth)
	}
	if depth == 0 {
		if pt.MainType() == "multipart" && len(pt.Parts) == 0 && !hasDefect(pt, DefectDepthLimit) {
			pt.Defects = append(pt.Defects, DefectMultipartInvariant)
		}
		p.finish(pt)
	}
	return pt
}

// readHeader reads the header block of pt up to the blank line that ends
// it; a line that can be no header field ends it too, and is left for the
// body.
func (p *parser) readHeader(pt *Part, defaultType string) {
	fr := fieldReader{max: p.maxFields}
	for {
		line, ok := p.r.next()
		if !ok {
			break
		}
		if !isHeaderLine(line) {
			if !isBlankLine(line) {
				pt.Defects = append(pt.Defects, DefectMissingHeaderBodySeparator)
				p.r.unread(line)
			}
			break
		}
		fr.add(line)
	}
	pt.setHeader(&fr, defaultType)
}

// parseEnclosed parses the message enclosed in pt (message/rfc822 and
// the other nested types) as its only sub-part, and keeps it as written
// in pt.raw.
func (p *parser) parseEnclosed(pt *Part, depth int) {
	if p.count >= p.maxParts {
		pt.Defects = append(pt.Defects, DefectPartLimit)
		pt.raw = p.r.rest()
		return
	}
	if pt.Encoding == "base64" || pt.Encoding == "quoted-printable" {
		p.parseEncodedEnclosed(pt, depth)
		return
	}
	start := p.r.pos
	pt.Parts = []*Part{p.parsePart(depth+1, "text/plain")}
	pt.raw = p.r.buf[start:p.r.pos] // the enclosed message as written
}

// parseEncodedEnclosed parses an enclosed message that has a transfer
// encoding: RFC 6532 section 3.5 allows an encoded message/global, and
// some clients encode message/rfc822 too. The decoded bytes are parsed
// by a parser of their own, which shares the limits and the count.
func (p *parser) parseEncodedEnclosed(pt *Part, depth int) {
	pt.raw = p.r.rest()
	dec, _ := decodeTransfer(pt.raw, pt.Encoding)
	sub := &parser{r: lineReader{buf: dec, stop: p.r.stop}, count: p.count,
		maxParts: p.maxParts, maxDepth: p.maxDepth, maxFields: p.maxFields}
	pt.Parts = []*Part{sub.parsePart(depth+1, "text/plain")}
	p.count = sub.count
	p.last = pt
}

func hasDefect(pt *Part, d Defect) bool {
	for _, x := range pt.Defects {
		if x == d {
			return true
		}
	}
	return false
}

// finish removes the transfer encodings of every leaf, once the line
// breaks that belong to boundaries have been taken off.
func (p *parser) finish(root *Part) {
	root.Walk(func(pt *Part) error {
		if err := p.r.stop.check(); err != nil {
			return err // each leaf's decoding is linear; check between them
		}
		if pt.raw == nil && len(pt.Parts) == 0 {
			pt.raw = []byte{}
		}
		if pt.raw != nil {
			body, d := decodeTransfer(pt.raw, pt.Encoding)
			pt.Body = body
			if d != "" {
				pt.Defects = append(pt.Defects, d)
			}
			pt.raw = nil
			if pt.Charset != "" && isTextual(pt.ContentType) {
				if _, _, ok := charset.Lookup(pt.Charset); !ok {
					pt.Defects = append(pt.Defects, DefectUnknownCharset)
				}
			}
		}
		return nil
	})
}
