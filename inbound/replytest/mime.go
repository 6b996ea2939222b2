package replytest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"html"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// message collects a header and a body and writes them with CRLF line
// ends.
type message struct {
	fields []string // "Name: value", in order
	body   string   // the MIME body, LF line ends
}

func (m *message) add(name, value string) {
	if value != "" {
		m.fields = append(m.fields, name+": "+value)
	}
}

func (m *message) bytes() []byte {
	s := strings.Join(m.fields, "\n") + "\n\n" + m.body
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return []byte(strings.ReplaceAll(s, "\n", "\r\n"))
}

// leaf is one MIME part: its header lines and encoded body.
type leaf struct {
	header []string
	body   string
}

func (l leaf) String() string { return strings.Join(l.header, "\n") + "\n\n" + l.body }

// multipart joins parts under boundary.
func multipart(boundary string, parts ...leaf) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString("--" + boundary + "\n" + p.String())
		if !strings.HasSuffix(p.body, "\n") {
			b.WriteString("\n")
		}
	}
	b.WriteString("--" + boundary + "--\n")
	return b.String()
}

// nest makes a part holding a multipart body.
func nest(ct, boundary string, parts ...leaf) leaf {
	return leaf{header: []string{`Content-Type: ` + ct + `; boundary="` + boundary + `"`}, body: multipart(boundary, parts...)}
}

// qp encodes text as quoted-printable in charset ("utf-8" or
// "iso-8859-1"), with CRLF line ends inside, as clients send it.
func qp(text, charset string) string {
	if charset == "iso-8859-1" {
		if enc, err := charmap.ISO8859_1.NewEncoder().String(text); err == nil {
			text = enc
		}
	}
	var b strings.Builder
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n")))
	w.Close()
	return strings.ReplaceAll(b.String(), "\r\n", "\n")
}

// b64 encodes data as base64 in lines of 76.
func b64(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	return b.String() + s + "\n"
}

func textLeaf(sub, charset, cte, body string) leaf {
	ct := "Content-Type: text/" + sub + `; charset="` + charset + `"`
	enc := body
	switch cte {
	case "quoted-printable":
		enc = qp(body, charset)
	case "base64":
		enc = b64([]byte(body))
	}
	return leaf{header: []string{ct, "Content-Transfer-Encoding: " + cte}, body: enc}
}

// ascii reports whether s is 7-bit.
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// word encodes a header value as RFC 2047 words when it is not ASCII.
func word(s string) string {
	if ascii(s) {
		return s
	}
	return mime.QEncoding.Encode("utf-8", s)
}

// addr formats "Name <addr>" as clients write it: a plain name bare, one
// with other characters quoted or encoded (net/mail's rules).
func addr(name, address string) string {
	plain := name != ""
	for _, r := range name {
		if !(r == ' ' || r == '-' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			plain = false
		}
	}
	if plain {
		return name + " <" + address + ">"
	}
	return (&mail.Address{Name: name, Address: address}).String()
}

// htmlText turns plain text into HTML lines: paragraphs in divs, line
// breaks as <br>.
func htmlText(text string) string {
	var b strings.Builder
	for _, para := range strings.Split(text, "\n\n") {
		lines := strings.Split(para, "\n")
		for i, l := range lines {
			lines[i] = html.EscapeString(l)
		}
		b.WriteString("<div>" + strings.Join(lines, "<br>\n") + "</div>\n")
	}
	return b.String()
}

// token derives a stable hex token from the parts, so that the same input
// gives the same Message-ID and boundaries on every run.
func token(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// fold folds a list of ids over several header lines.
func fold(ids []string) string { return strings.Join(ids, "\n ") }
