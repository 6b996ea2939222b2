package inbound

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// ErrUnknownCharset means a declared charset is not known. Text decoded
// with it is still usable: it is read as UTF-8 when valid, else as
// Windows-1252.
var ErrUnknownCharset = errors.New("inbound: unknown charset")

// lookupCharset finds the decoder for a charset label: the WHATWG
// Encoding Standard labels (which browsers and most mail clients follow),
// then the IANA names. ascii reports US-ASCII and its aliases, and UTF-8,
// which need no decoder.
func lookupCharset(name string) (enc encoding.Encoding, ascii, ok bool) {
	n := strings.ToLower(strings.Trim(strings.TrimSpace(name), `"'`))
	switch n {
	case "", "us-ascii", "ascii", "ansi_x3.4-1968", "ansi-x3.4-1968", "iso646-us", "us", "646", "utf-8", "utf8", "unicode-1-1-utf-8":
		return nil, true, true
	case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "iso_8859-1":
		return charmap.Windows1252, false, true // WHATWG: ISO-8859-1 is read as Windows-1252
	}
	for _, cand := range []string{n, strings.ReplaceAll(n, "_", "-"), strings.ReplaceAll(n, "-", "_")} {
		if e, err := htmlindex.Get(cand); err == nil {
			return e, false, true
		}
		if e, err := ianaindex.MIME.Encoding(cand); err == nil && e != nil {
			return e, false, true
		}
		if e, err := ianaindex.IANA.Encoding(cand); err == nil && e != nil {
			return e, false, true
		}
	}
	// QUIRK: Windows code pages written as cp1252, x-cp1252 or windows1252.
	for _, p := range []string{"x-cp", "cp", "windows"} {
		if strings.HasPrefix(n, p) {
			if e, err := htmlindex.Get("windows-" + strings.TrimPrefix(n, p)); err == nil {
				return e, false, true
			}
		}
	}
	return nil, false, false
}

// decodeCharset converts b from charset to UTF-8. UTF-8, US-ASCII and no
// charset at all are read as UTF-8 when valid and else as Windows-1252
// (8-bit text mislabelled as ASCII is nearly always Latin-1); declared
// UTF-8 that is invalid gets U+FFFD for each bad sequence.
func decodeCharset(b []byte, charset string) (string, error) {
	enc, ascii, ok := lookupCharset(charset)
	switch {
	case ascii:
		if utf8.Valid(b) {
			return string(b), nil
		}
		if n := strings.ToLower(charset); strings.HasPrefix(n, "utf") || strings.HasPrefix(n, "unicode") {
			return strings.ToValidUTF8(string(b), "\uFFFD"), nil
		}
		return latin(b), nil
	case ok:
		out, err := enc.NewDecoder().Bytes(b)
		if err != nil {
			return strings.ToValidUTF8(string(b), "\uFFFD"), nil
		}
		return string(out), nil
	}
	err := fmt.Errorf("%w %q", ErrUnknownCharset, charset)
	if utf8.Valid(b) {
		return string(b), err
	}
	return latin(b), err
}

func latin(b []byte) string {
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}
