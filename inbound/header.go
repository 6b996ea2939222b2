package inbound

import (
	"net/mail"
	"strings"

	"github.com/mailtrail/mailtrail/internal/charset"
)

// DecodeHeader returns a header field value as text: RFC 2047 encoded
// words decoded (in any charset known to the package; an encoded word
// that cannot be decoded stays as written, the others around it are
// decoded), raw 8-bit bytes read as UTF-8 (RFC 6532) when valid and else
// as Windows-1252.
func DecodeHeader(v string) string { return charset.DecodeHeader(v) }

// addressList returns the bare addresses of an address-list field value,
// lower-casing nothing. A value net/mail cannot parse is scanned for
// anything that looks like local@domain.
func addressList(v string) []string {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if list, err := (&mail.AddressParser{WordDecoder: charset.WordDecoder}).ParseList(v); err == nil {
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
