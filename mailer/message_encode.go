package mailer

import "encoding/base64"

// appendBase64Lines appends s in base64 (RFC 2045 §6.8), in lines of 76
// characters, each ended by CRLF.
func appendBase64Lines(dst []byte, s string) []byte {
	const line = 76 // a multiple of 4: 57 octets make one line
	enc := base64.StdEncoding
	src := []byte(s)
	for len(src) > 0 {
		n := min(len(src), line/4*3)
		dst = enc.AppendEncode(dst, src[:n])
		dst = append(dst, '\r', '\n')
		src = src[n:]
	}
	return dst
}

// appendQP appends s in quoted-printable (RFC 2045 §6.7) byte for byte as
// mime/quotedprintable.Writer (not Binary) writes it, closed: lines of at
// most 76 characters with soft line breaks, every line end (CRLF, LF or
// CR) written as CRLF, a space or tab before a line end or at the end
// encoded. One quirk is kept on purpose, for identical bytes: an encoded
// octet between a CR and an LF does not end the CR's line end, so the LF
// after it is dropped.
func appendQP(dst []byte, s string) []byte {
	const (
		hex    = "0123456789ABCDEF"
		maxLen = 76
	)
	n := 0 // characters on the current line
	cr := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case qpLiteral[c]:
			// A run of literal characters, up to the end of the line.
			room := maxLen - 1 - n
			if room == 0 {
				dst = append(dst, '=', '\r', '\n')
				n, room = 0, maxLen-1
			}
			j, end := i+1, min(len(s), i+room)
			for j < end && qpLiteral[s[j]] {
				j++
			}
			dst = append(dst, s[i:j]...)
			n += j - i
			i = j
			cr = false
			continue
		case c == '\n' || c == '\r':
			if !(cr && c == '\n') {
				cr = c == '\r'
				dst, _ = qpTrailingSpace(dst, n)
				dst = append(dst, '\r', '\n')
				n = 0
			} else {
				cr = false
			}
		default:
			if maxLen-1-n < 3 {
				dst = append(dst, '=', '\r', '\n')
				n = 0
			}
			dst = append(dst, '=', hex[c>>4], hex[c&0x0f])
			n += 3
		}
		i++
	}
	dst, _ = qpTrailingSpace(dst, n)
	return dst
}

// qpLiteral holds the octets quoted-printable writes as they are: printable
// ASCII but '=', space and tab.
var qpLiteral = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = c != '='
	}
	t[' '], t['\t'] = true, true
	return t
}()

// qpTrailingSpace encodes the last character of the current line (n
// characters long) if it is a space or a tab.
func qpTrailingSpace(dst []byte, n int) ([]byte, int) {
	if n == 0 {
		return dst, n
	}
	c := dst[len(dst)-1]
	if c != ' ' && c != '\t' {
		return dst, n
	}
	dst = dst[:len(dst)-1]
	n--
	if 76-1-n < 3 {
		dst = append(dst, '=', '\r', '\n')
		n = 0
	}
	if c == ' ' {
		dst = append(dst, "=20"...)
	} else {
		dst = append(dst, "=09"...)
	}
	return dst, n + 3
}
