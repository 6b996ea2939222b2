package inbound

import (
	"bytes"
	"context"
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

// lineReader hands out the lines of buf, each with its line break (CRLF,
// LF or a lone CR), and reports the end of input at a line that is a
// boundary of an enclosing multipart.
type lineReader struct {
	buf    []byte
	pos    int
	bounds []string // "--" + boundary, innermost last
	stop   *stopper
}

// stopper ends a parse early when its context is done: lineReader asks it
// every checkEvery lines, and then reports the end of the input.
type stopper struct {
	ctx   context.Context
	lines int
	err   error // the context's error once seen
}

const checkEvery = 1 << 10

// check asks the context now and returns its error, if any.
func (s *stopper) check() error {
	if s != nil && s.err == nil {
		s.err = s.ctx.Err()
	}
	if s == nil {
		return nil
	}
	return s.err
}

// stopped reports whether the parse must stop now.
func (s *stopper) stopped() bool {
	if s == nil {
		return false
	}
	if s.err != nil {
		return true
	}
	s.lines++
	if s.lines%checkEvery == 0 {
		s.err = s.ctx.Err()
	}
	return s.err != nil
}

// next returns the next line, or ok false at the end of the input or at an
// enclosing boundary line, which is then left unread.
func (r *lineReader) next() (line []byte, ok bool) {
	if r.pos >= len(r.buf) {
		return nil, false
	}
	if r.stop.stopped() {
		r.pos = len(r.buf)
		return nil, false
	}
	line = lineAt(r.buf, r.pos)
	for i := len(r.bounds) - 1; i >= 0; i-- {
		if ok, _ := boundaryLine(line, r.bounds[i]); ok {
			return nil, false
		}
	}
	r.pos += len(line)
	return line, true
}

func (r *lineReader) unread(line []byte) { r.pos -= len(line) }

// rest reads lines up to the end (as next defines it) and returns them as
// one slice of the input.
func (r *lineReader) rest() []byte {
	start := r.pos
	for {
		if _, ok := r.next(); !ok {
			return r.buf[start:r.pos]
		}
	}
}

// lineAt returns the line starting at pos with its line break.
func lineAt(buf []byte, pos int) []byte {
	i := bytes.IndexAny(buf[pos:], "\r\n")
	if i < 0 {
		return buf[pos:]
	}
	end := pos + i + 1
	if buf[pos+i] == '\r' && end < len(buf) && buf[end] == '\n' {
		end++
	}
	return buf[pos:end]
}

// boundaryLine reports whether line is the boundary sep ("--" + boundary),
// and whether it is the closing one: sep, an optional "--", optional
// blanks and the line break (RFC 2046 section 5.1.1, with the
// transport padding).
func boundaryLine(line []byte, sep string) (ok, end bool) {
	if !bytes.HasPrefix(line, []byte(sep)) {
		return false, false
	}
	rest := line[len(sep):]
	if bytes.HasPrefix(rest, []byte("--")) {
		end = true
		rest = rest[2:]
	}
	rest = trimEOL(rest)
	for _, c := range rest {
		if c != ' ' && c != '\t' {
			return false, false
		}
	}
	return true, end
}

// trimEOL removes one trailing line break.
func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
		return b
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

func isBlankLine(line []byte) bool {
	return len(line) > 0 && (line[0] == '\n' || line[0] == '\r')
}

// isHeaderLine reports whether line can belong to a header: a field
// ("name:" with printable ASCII in the name, blanks allowed before the
// colon as RFC 822 did), a folded continuation, or an mbox "From " line.
func isHeaderLine(line []byte) bool {
	if len(line) == 0 {
		return false
	}
	if line[0] == ' ' || line[0] == '\t' {
		return true
	}
	if bytes.HasPrefix(line, []byte("From ")) {
		return true
	}
	i := 0
	for i < len(line) && line[i] >= 0x21 && line[i] <= 0x7e && line[i] != ':' {
		i++
	}
	for j := i; j < len(line); j++ {
		switch line[j] {
		case ':':
			return true
		case ' ', '\t':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return false
}

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

	switch {
	case strings.HasPrefix(pt.ContentType, "multipart/") || nested(pt.ContentType):
		if depth >= p.maxDepth {
			pt.Defects = append(pt.Defects, DefectDepthLimit)
			pt.raw = p.r.rest()
			break
		}
		if nested(pt.ContentType) {
			if p.count >= p.maxParts {
				pt.Defects = append(pt.Defects, DefectPartLimit)
				pt.raw = p.r.rest()
				break
			}
			if pt.Encoding == "base64" || pt.Encoding == "quoted-printable" {
				// RFC 6532 section 3.5 allows an encoded message/global; some
				// clients encode message/rfc822 too. Parse the decoded bytes.
				pt.raw = p.r.rest()
				dec, _ := decodeTransfer(pt.raw, pt.Encoding)
				sub := &parser{r: lineReader{buf: dec, stop: p.r.stop}, count: p.count,
					maxParts: p.maxParts, maxDepth: p.maxDepth, maxFields: p.maxFields}
				pt.Parts = []*Part{sub.parsePart(depth+1, "text/plain")}
				p.count = sub.count
				p.last = pt
				break
			}
			start := p.r.pos
			pt.Parts = []*Part{p.parsePart(depth+1, "text/plain")}
			pt.raw = p.r.buf[start:p.r.pos] // the enclosed message as written
			break
		}
		p.parseMultipart(pt, depth)
	default:
		pt.raw = p.r.rest()
	}
	if depth == 0 {
		if pt.MainType() == "multipart" && len(pt.Parts) == 0 && !hasDefect(pt, DefectDepthLimit) {
			pt.Defects = append(pt.Defects, DefectMultipartInvariant)
		}
		p.finish(pt)
	}
	return pt
}

func hasDefect(pt *Part, d Defect) bool {
	for _, x := range pt.Defects {
		if x == d {
			return true
		}
	}
	return false
}

// parseMultipart reads the preamble, parts and epilogue of pt.
func (p *parser) parseMultipart(pt *Part, depth int) {
	if pt.Boundary == "" {
		pt.Defects = append(pt.Defects, DefectNoBoundary)
		pt.raw = p.r.rest()
		return
	}
	sep := "--" + pt.Boundary
	childDefault := "text/plain"
	if pt.ContentType == "multipart/digest" {
		childDefault = "message/rfc822" // RFC 2046 section 5.1.5
	}
	capturing := true
	preStart, preEnd := p.r.pos, p.r.pos
	closeSeen, limited := false, false
	for {
		line, ok := p.r.next()
		if !ok {
			break
		}
		isB, isEnd := boundaryLine(line, sep)
		if !isB {
			preEnd = p.r.pos // only the preamble has lines that are no boundary
			continue
		}
		if isEnd {
			closeSeen = true
			break
		}
		if capturing {
			if preEnd > preStart {
				// RFC 2046: the line break before a boundary belongs to it.
				pt.Preamble = trimEOL(p.r.buf[preStart:preEnd])
			}
			capturing = false
			p.r.unread(line) // read again below as the first separator
			continue
		}
		// Back-to-back boundary lines delimit no part.
		for {
			l, ok := p.r.next()
			if !ok {
				break
			}
			if b, _ := boundaryLine(l, sep); !b {
				p.r.unread(l)
				break
			}
		}
		if p.count >= p.maxParts {
			pt.Defects = append(pt.Defects, DefectPartLimit)
			pt.Epilogue = p.r.rest()
			limited = true
			break
		}
		p.r.bounds = append(p.r.bounds, sep)
		child := p.parsePart(depth+1, childDefault)
		p.r.bounds = p.r.bounds[:len(p.r.bounds)-1]
		// RFC 2046: the line break before a boundary belongs to the
		// boundary. It is taken from the part read last, which is the
		// innermost one when the child encloses a message.
		if last := p.last; last.MainType() == "multipart" {
			if len(last.Epilogue) == 0 {
				last.Epilogue = nil
			} else {
				last.Epilogue = trimEOL(last.Epilogue)
			}
		} else if last.raw != nil {
			last.raw = trimEOL(last.raw)
		}
		if nested(child.ContentType) && child.raw != nil {
			child.raw = trimEOL(child.raw)
		}
		p.last = pt
		pt.Parts = append(pt.Parts, child)
	}
	if capturing && !limited {
		pt.Defects = append(pt.Defects, DefectStartBoundaryNotFound)
		pt.raw = p.r.buf[preStart:preEnd]
		p.r.rest()
		return
	}
	if limited {
		return
	}
	if !closeSeen {
		pt.Defects = append(pt.Defects, DefectCloseBoundaryNotFound)
		return
	}
	if ep := p.r.rest(); len(ep) > 0 {
		pt.Epilogue = ep
	}
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
