package inbound

import (
	"io"
	"mime"
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// wordDecoder decodes RFC 2047 encoded words in any charset known to
// [lookupCharset]. It has no state, so sharing it is safe.
var wordDecoder = &mime.WordDecoder{
	CharsetReader: func(charset string, r io.Reader) (io.Reader, error) {
		enc, ascii, ok := lookupCharset(charset)
		switch {
		case ascii:
			return r, nil
		case ok:
			return transform.NewReader(r, enc.NewDecoder()), nil
		}
		return nil, ErrUnknownCharset
	},
}

// DecodeHeader returns a header field value as text: RFC 2047 encoded
// words decoded (in any charset known to the package; an encoded word
// that cannot be decoded stays as written), raw 8-bit bytes read as UTF-8
// (RFC 6532) when valid and else as Windows-1252.
func DecodeHeader(v string) string {
	if !utf8.ValidString(v) {
		v = latin([]byte(v))
	}
	if !strings.Contains(v, "=?") {
		return v
	}
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// addressList returns the bare addresses of an address-list field value,
// lower-casing nothing. A value net/mail cannot parse is scanned for
// anything that looks like local@domain.
func addressList(v string) []string {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if list, err := (&mail.AddressParser{WordDecoder: wordDecoder}).ParseList(v); err == nil {
		out := make([]string, 0, len(list))
		for _, a := range list {
			out = append(out, a.Address)
		}
		return out
	}
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '<' || r == '>' || r == '"' || r == '(' || r == ')'
	}) {
		if i := strings.IndexByte(f, '@'); i > 0 && i < len(f)-1 {
			out = append(out, f)
		}
	}
	return out
}
