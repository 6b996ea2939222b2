package identity

import (
	"fmt"
	"io"
	"mime"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// wordDecoder decodes RFC 2047 encoded words in any charset known to
// golang.org/x/text (WHATWG labels first, then IANA names).
var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	var enc encoding.Encoding
	enc, err := htmlindex.Get(charset)
	if err != nil {
		enc, err = ianaindex.MIME.Encoding(charset)
	}
	if err != nil || enc == nil {
		return nil, fmt.Errorf("identity: unknown charset %q", charset)
	}
	return enc.NewDecoder().Reader(input), nil
}

// decodeHeader returns a header value with its RFC 2047 encoded words
// decoded; on a broken word it decodes what it can word by word and keeps
// the rest raw: a subject tag may still be readable.
func decodeHeader(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		return d
	}
	fields := strings.Fields(s)
	for i, f := range fields {
		if d, err := wordDecoder.Decode(f); err == nil {
			fields[i] = d
		}
	}
	return strings.Join(fields, " ")
}
