package mailer

import (
	"bytes"
	"encoding/base64"
	"fmt"

	gomail "github.com/wneessen/go-mail"

	"github.com/mailtrail/mailtrail/render"
)

// buildAlternative writes the body of a message without attachments, its
// JSON part in the alternative: the one shape of bulk mail, written here
// straight into one buffer instead of through go-mail's general writer
// (which costs about as much as the whole render; see the performance
// note). The bytes are those [buildBodyGoMail] gives for the same parts
// and boundary: the parts in the order JSON, text, HTML, each with the
// part header go-mail writes (Content-Transfer-Encoding, then
// Content-Type, as textproto sorts them), quoted-printable exactly as
// mime/quotedprintable writes it and base64 in lines of 76 as go-mail
// breaks them (TestBuildAlternative_sameAsGoMail and
// FuzzBuildAlternative prove it).
func buildAlternative(parts *render.Parts, boundary func(level int) string) (*mimeBody, error) {
	b := boundary(0)
	if err := checkBoundary(b); err != nil {
		return nil, err
	}
	type part struct {
		contentType string
		content     string
		enc         gomail.Encoding
	}
	alts := [3]part{
		{"application/json", string(parts.JSON), chooseEncoding(parts.JSON, true)},
		{"text/plain", parts.Text, chooseEncodingString(parts.Text)},
		{"text/html", parts.HTML, chooseEncodingString(parts.HTML)},
	}
	size := 3*(len(b)+96) + len(b) + 8
	for i := range alts {
		if alts[i].enc == gomail.EncodingB64 && i > 0 {
			alts[i].content = canonicalLines(alts[i].content)
		}
		// quoted-printable: at most 3 octets per octet plus soft breaks;
		// sized for the usual text, append grows it for the rest.
		size += len(alts[i].content) + len(alts[i].content)/8 + 16
	}
	out := make([]byte, 0, size)
	delim := "--" + b
	for i, p := range alts {
		if i > 0 {
			out = append(out, '\r', '\n')
		}
		out = append(out, delim...)
		out = append(out, "\r\nContent-Transfer-Encoding: "...)
		out = append(out, p.enc...)
		out = append(out, "\r\nContent-Type: "...)
		out = append(out, p.contentType...)
		out = append(out, "; charset=UTF-8\r\n\r\n"...)
		start := len(out)
		if p.enc == gomail.EncodingB64 {
			out = appendBase64Lines(out, p.content)
		} else {
			out = appendQP(out, p.content)
		}
		// The content may not hold a delimiter line of ours (RFC 2046 §5.1.1).
		if bytes.Contains(out[start:], []byte(delim)) {
			return nil, fmt.Errorf("assemble: boundary %q occurs in the message content", b)
		}
	}
	out = append(out, "\r\n"...)
	out = append(out, delim...)
	out = append(out, "--\r\n"...)
	return &mimeBody{
		contentType: `multipart/alternative; boundary="` + b + `"`,
		body:        out,
	}, nil
}

// chooseEncodingString is chooseEncoding for text, without a copy.
func chooseEncodingString(s string) gomail.Encoding {
	escaped := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t' && c != '\r' && c != '\n') || c == '=' || c > '~' {
			escaped++
		}
	}
	if escaped*6 > len(s) {
		return gomail.EncodingB64
	}
	return gomail.EncodingQP
}

// appendBase64Lines appends s in base64 (RFC 2045 §6.8), in lines of 76
// characters, each ended by CRLF, as go-mail writes it.
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
