package inbound

import (
	"bytes"
	"context"
)

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
