package jsonout

import (
	"bufio"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// stringWriter escapes what is written to it as the inside of a JSON
// string, as encoding/json does with HTML escaping off: '"' and '\\'
// escaped, control characters as \b, \f, \n, \r, \t or \u00XX, each
// byte of invalid UTF-8 as \ufffd, U+2028 and U+2029 as \u2028 and
// \u2029, everything else as it is. A rune split between two writes is
// held until the next one completes it.
type stringWriter struct {
	w    *bufio.Writer
	tail [utf8.UTFMax]byte // an incomplete rune at the end of the last write
	n    int               // bytes in tail
	err  error
}

func (s *stringWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	total := len(p)
	for s.n > 0 && len(p) > 0 {
		// Complete the held rune with the first bytes of p.
		k := copy(s.tail[s.n:], p)
		buf := s.tail[:s.n+k]
		if !utf8.FullRune(buf) {
			s.n += k
			return total, nil
		}
		used := escape(s, buf, false)
		// used counts bytes of buf; those beyond the held ones came from p.
		if used >= s.n {
			p = p[used-s.n:]
			s.n = 0
		} else {
			s.n = copy(s.tail[:], s.tail[used:s.n])
		}
	}
	if len(p) > 0 {
		used := escape(s, p, false)
		s.n = copy(s.tail[:], p[used:])
	}
	return total, s.err
}

// close writes what is held, as at the end of the string.
func (s *stringWriter) close() error {
	if s.n > 0 {
		escape(s, s.tail[:s.n], true)
		s.n = 0
	}
	return s.err
}

// escape writes src escaped to s.w and returns how many bytes it used:
// all of them, unless src ends in an incomplete rune and final is false.
func escape[T []byte | string](s *stringWriter, src T, final bool) int {
	w := s.w
	start := 0
	i := 0
	for i < len(src) {
		if b := src[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			writeRaw(w, src[start:i])
			escapeASCII(w, b)
			i++
			start = i
			continue
		}
		// As encoding/json does: only a few bytes are made a string, on
		// the stack.
		n := min(len(src)-i, utf8.UTFMax)
		if !final && !utf8.FullRuneInString(string(src[i:i+n])) {
			break // the rest of the rune comes with the next write
		}
		c, size := utf8.DecodeRuneInString(string(src[i : i+n]))
		switch {
		case c == utf8.RuneError && size == 1:
			writeRaw(w, src[start:i])
			w.WriteString(`\ufffd`)
		case c == '\u2028' || c == '\u2029':
			writeRaw(w, src[start:i])
			w.WriteString(`\u202`)
			w.WriteByte(hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	if err := writeRaw(w, src[start:i]); err != nil && s.err == nil {
		s.err = err
	}
	return i
}

// escapeASCII writes the escape of an ASCII byte that JSON does not take
// as it is: '"', '\\' or a control character.
func escapeASCII(w *bufio.Writer, b byte) {
	switch b {
	case '\\', '"':
		w.WriteByte('\\')
		w.WriteByte(b)
	case '\b':
		w.WriteString(`\b`)
	case '\f':
		w.WriteString(`\f`)
	case '\n':
		w.WriteString(`\n`)
	case '\r':
		w.WriteString(`\r`)
	case '\t':
		w.WriteString(`\t`)
	default:
		w.WriteString(`\u00`)
		w.WriteByte(hex[b>>4])
		w.WriteByte(hex[b&0xF])
	}
}

func writeRaw[T []byte | string](w *bufio.Writer, b T) error {
	var err error
	switch x := any(b).(type) {
	case string:
		_, err = w.WriteString(x)
	case []byte:
		_, err = w.Write(x)
	}
	return err
}
