package charset

import (
	"fmt"
	"io"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// WordDecoder decodes RFC 2047 encoded words in any charset [Lookup]
// knows; an unknown charset is an error. It has no state, so sharing it is
// safe (net/mail.AddressParser takes it for display names).
var WordDecoder = &mime.WordDecoder{CharsetReader: wordReader}

func wordReader(name string, r io.Reader) (io.Reader, error) {
	enc, ascii, ok := Lookup(name)
	switch {
	case ascii: // an empty or ASCII label: 8-bit text in it is read as Decode reads it
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		s, _ := Decode(b, name)
		return strings.NewReader(s), nil
	case ok:
		return transform.NewReader(r, enc.NewDecoder()), nil
	}
	return nil, fmt.Errorf("unknown charset %q", name)
}

// encodedWord matches one RFC 2047 encoded word (section 2).
var encodedWord = regexp.MustCompile(`=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=`)

// DecodeHeader returns a header field value as text: raw 8-bit bytes read
// as UTF-8 (RFC 6532) when valid and else as Windows-1252, and RFC 2047
// encoded words decoded. An encoded word that cannot be decoded (broken,
// or in an unknown charset) stays as written while the others around it
// are decoded: a subject tag or a name may still be readable.
func DecodeHeader(v string) string {
	if !utf8.ValidString(v) {
		v = Latin([]byte(v))
	}
	if !strings.Contains(v, "=?") {
		return v
	}
	d, err := WordDecoder.DecodeHeader(v)
	if err != nil {
		d = decodeEach(v)
	}
	// QUIRK: mime.WordDecoder copies a word labelled UTF-8 as it is, valid or not.
	return strings.ToValidUTF8(d, "\uFFFD")
}

// decodeEach decodes the encoded words of v one by one, keeping those that
// do not decode. White space between two decoded words is dropped, as RFC
// 2047 section 6.2 asks.
func decodeEach(v string) string {
	var b strings.Builder
	last, prevDecoded := 0, false
	for _, m := range encodedWord.FindAllStringIndex(v, -1) {
		gap := v[last:m[0]]
		d, err := WordDecoder.Decode(v[m[0]:m[1]])
		if err != nil {
			b.WriteString(gap)
			b.WriteString(v[m[0]:m[1]])
			prevDecoded = false
		} else {
			if !prevDecoded || strings.TrimSpace(gap) != "" {
				b.WriteString(gap)
			}
			b.WriteString(d)
			prevDecoded = true
		}
		last = m[1]
	}
	b.WriteString(v[last:])
	return b.String()
}
