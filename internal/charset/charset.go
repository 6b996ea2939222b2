// Package charset turns text in a declared charset into UTF-8: message
// bodies (by their charset parameter) and header values (RFC 2047 encoded
// words, RFC 6532 raw UTF-8). It is the one decoder shared by identity,
// inbound and the web views, so they read a message alike.
//
// Charset labels follow the WHATWG Encoding Standard, which browsers and
// most mail clients follow (ISO-8859-1 is read as Windows-1252), then the
// IANA names, through golang.org/x/text. Text with no charset, or in one
// that is not known, is read as UTF-8 when valid and else as Windows-1252:
// 8-bit text mislabelled as ASCII is nearly always Latin-1.
package charset

import (
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/transform"
)

// Lookup finds the decoder for a charset label: the WHATWG Encoding
// Standard labels, then the IANA names. ascii reports US-ASCII and its
// aliases, UTF-8 and no label at all, which need no decoder; ok is false
// for a label that is not known.
func Lookup(name string) (enc encoding.Encoding, ascii, ok bool) {
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

// Decode converts b from the named charset to UTF-8. UTF-8, US-ASCII and
// no charset at all are read as UTF-8 when valid and else as Windows-1252;
// declared UTF-8 that is invalid gets U+FFFD for each bad sequence. known
// is false when the charset is not known; the text is then still usable,
// read as UTF-8 when valid and else as Windows-1252.
func Decode(b []byte, name string) (s string, known bool) {
	var sb strings.Builder
	sb.Grow(len(b))
	known, _ = DecodeTo(&sb, b, name) // a strings.Builder does not fail
	return sb.String(), known
}

// DecodeTo writes the text [Decode] returns to w, in pieces: a large body
// is converted without being held whole a second time. The error is w's.
func DecodeTo(w io.Writer, b []byte, name string) (known bool, err error) {
	enc, ascii, ok := Lookup(name)
	switch {
	case ascii:
		if utf8.Valid(b) {
			_, err = w.Write(b)
			return true, err
		}
		if n := strings.ToLower(name); strings.HasPrefix(n, "utf") || strings.HasPrefix(n, "unicode") {
			return true, writeValidUTF8(w, b)
		}
		return true, writeDecoded(w, b, charmap.Windows1252)
	case ok:
		return true, writeDecoded(w, b, enc)
	}
	if utf8.Valid(b) {
		_, err = w.Write(b)
		return false, err
	}
	return false, writeDecoded(w, b, charmap.Windows1252)
}

// Latin reads b as Windows-1252, the usual charset of unlabelled 8-bit text.
func Latin(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	writeDecoded(&sb, b, charmap.Windows1252)
	return sb.String()
}

// writeDecoded writes b decoded by enc to w; when the decoder fails on b,
// b read as UTF-8 with each invalid sequence replaced by U+FFFD. The
// decoder first runs into io.Discard to find out, so that nothing
// half-decoded is written.
func writeDecoded(w io.Writer, b []byte, enc encoding.Encoding) error {
	if decodeInto(io.Discard, b, enc) != nil {
		return writeValidUTF8(w, b)
	}
	return decodeInto(w, b, enc)
}

func decodeInto(w io.Writer, b []byte, enc encoding.Encoding) error {
	tw := transform.NewWriter(w, enc.NewDecoder())
	if _, err := tw.Write(b); err != nil {
		return err
	}
	return tw.Close()
}

// writeValidUTF8 writes b with each run of invalid UTF-8 replaced by one
// U+FFFD, as strings.ToValidUTF8(string(b), "\uFFFD") returns it.
func writeValidUTF8(w io.Writer, b []byte) error {
	start := 0
	invalid := false // the byte before was part of an invalid run
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			invalid = false
			continue
		}
		_, size := utf8.DecodeRune(b[i:])
		if size > 1 {
			i += size
			invalid = false
			continue
		}
		if _, err := w.Write(b[start:i]); err != nil {
			return err
		}
		if !invalid {
			if _, err := io.WriteString(w, "\uFFFD"); err != nil {
				return err
			}
		}
		invalid = true
		i++
		start = i
	}
	_, err := w.Write(b[start:])
	return err
}
