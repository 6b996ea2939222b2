package mailer

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Header lines are folded at whitespace so that they stay within
// foldWidth octets where the text allows it (RFC 5322 §2.1.1 "SHOULD be no
// more than 78 characters"), and never exceed maxLine octets ("MUST be no
// more than 998 characters"). Both counts exclude the CRLF.
const (
	foldWidth = 78
	maxLine   = 998

	// maxPlainWord is the longest run of printable ASCII written as is in an
	// unstructured header; a longer one cannot be folded, so it is written
	// as encoded words instead.
	maxPlainWord = 60

	// maxEncodedWord is the longest encoded word written: RFC 2047 §2
	// allows 75, but 66 keeps "Subject: " and the word within foldWidth.
	maxEncodedWord = 66
)

// errHeaderTooLong is returned when a header line cannot be folded within
// maxLine octets; only values that may not be encoded can cause it.
var errHeaderTooLong = errors.New("header line longer than 998 octets cannot be folded")

// checkHeaderText refuses what may never reach a header: CR, LF and NUL
// (they would end the header or the message early), invalid UTF-8 and the
// Unicode controls that reorder displayed text.
func checkHeaderText(what, s string) error {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r':
			return fmt.Errorf("%s contains a carriage return (CR) at byte %d", what, i)
		case '\n':
			return fmt.Errorf("%s contains a line feed (LF) at byte %d", what, i)
		case 0:
			return fmt.Errorf("%s contains a NUL octet at byte %d", what, i)
		}
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", what)
	}
	for i, r := range s {
		if isBidiControl(r) {
			return fmt.Errorf("%s contains the bidirectional control U+%04X at byte %d", what, r, i)
		}
	}
	return nil
}

// isBidiControl reports whether r is an explicit bidirectional embedding,
// override or isolate (Unicode TR #9), used to disguise text.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// headerBlock accumulates header fields, each folded, CRLF terminated.
type headerBlock struct {
	b   []byte
	err error
}

// add writes one structured field whose value is already formatted
// (addresses, msg-ids, a date, media types).
func (h *headerBlock) add(name, value string) {
	if h.err != nil {
		return
	}
	h.b, h.err = appendField(h.b, name, value)
}

// text writes an unstructured field (RFC 5322 §3.2.5) such as the subject
// from raw text: refused by checkHeaderText, else RFC 2047-encoded where it
// is not plain ASCII.
func (h *headerBlock) text(name, raw string) {
	if h.err != nil {
		return
	}
	if h.err = checkHeaderText("header "+name, raw); h.err == nil {
		h.add(name, encodeText(raw))
	}
}

// appendField appends "name: value" CRLF to b, folding value before single
// spaces (RFC 5322 §2.2.3). It is the one gate of header safety: every
// field the mailer writes, in the message header and in part headers,
// passes through it, and it refuses a name that is not printable ASCII
// without a colon and a value with CR, LF, NUL, another control octet
// or a non-ASCII octet (raw text comes through [headerBlock.text], which encodes it). A fold is
// never placed where it would leave a line of whitespace only, nor inside
// a run of spaces (common parsers, Go's net/textproto among them,
// collapse whitespace around a fold), and the first word always stays on
// the name's line.
func appendField(b []byte, name, value string) ([]byte, error) {
	if err := checkFieldName(name); err != nil {
		return b, err
	}
	for i := 0; i < len(value); i++ {
		switch c := value[i]; {
		case c == '\r':
			return b, fmt.Errorf("header %s contains a carriage return (CR) at byte %d", name, i)
		case c == '\n':
			return b, fmt.Errorf("header %s contains a line feed (LF) at byte %d", name, i)
		case c == 0:
			return b, fmt.Errorf("header %s contains a NUL octet at byte %d", name, i)
		case c >= 0x80:
			return b, fmt.Errorf("header %s: value must be ASCII (octet 0x%02x at byte %d)", name, c, i)
		case c < ' ' && c != '\t' || c == 0x7f:
			return b, fmt.Errorf("header %s contains the control octet 0x%02x at byte %d", name, c, i)
		}
	}
	b = append(b, name...)
	b = append(b, ':')
	lineLen := len(name) + 1
	rest := value
	first := true
	for len(rest) > 0 {
		// A chunk is a run of spaces followed by the word after it. The
		// first chunk of the value gets the single space after the colon.
		n := 0
		for n < len(rest) && rest[n] == ' ' {
			n++
		}
		end := n
		for end < len(rest) && rest[end] != ' ' {
			end++
		}
		chunk := rest[:end]
		rest = rest[end:]
		if first {
			b = append(b, ' ')
			lineLen++
			first = false
		} else if n == 1 && end > n && lineLen+len(chunk) > foldWidth {
			// Fold before the space: the continuation line starts with
			// whitespace (RFC 5322 §3.2.2) and holds a word.
			b = append(b, '\r', '\n')
			lineLen = 0
		}
		b = append(b, chunk...)
		lineLen += len(chunk)
		if lineLen > maxLine {
			return b, fmt.Errorf("header %s: %w", name, errHeaderTooLong)
		}
	}
	if first {
		b = append(b, ' ')
	}
	b = append(b, '\r', '\n')
	return b, nil
}

// encodeText encodes s, an unstructured header value (RFC 5322 §3.2.5) such
// as a subject, for a 7-bit header. Words of printable ASCII stay as they
// are; every run of other words (non-ASCII, control characters, words too
// long to fold, text that looks like an encoded word) becomes RFC 2047
// Q-encoded words of at most 75 octets. The spaces inside a run are encoded
// with it, since whitespace between adjacent encoded words is dropped by
// decoders (RFC 2047 §6.2). A value with a run of spaces, or a space at
// either end, is encoded whole. s must have passed checkHeaderText.
func encodeText(s string) string {
	oddSpaces := strings.Contains(s, "  ") || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ")
	if oddSpaces {
		// Runs of spaces and spaces at either end do not survive unfolding
		// in every parser: keep them inside encoded words.
		return encodeWords(s)
	}
	if isPlainText(s) {
		return s
	}
	words := strings.Split(s, " ")
	enc := make([]bool, len(words))
	for i, w := range words {
		enc[i] = w != "" && !isPlainWord(w)
	}
	var b strings.Builder
	for i := 0; i < len(words); {
		if i > 0 {
			b.WriteByte(' ')
		}
		if !enc[i] {
			b.WriteString(words[i])
			i++
			continue
		}
		// Extend the run over further encoded words, and over the empty
		// words (double spaces) between them.
		last := i
		for k := i + 1; k < len(words) && (enc[k] || words[k] == ""); k++ {
			if enc[k] {
				last = k
			}
		}
		b.WriteString(encodeWords(strings.Join(words[i:last+1], " ")))
		i = last + 1
	}
	return b.String()
}

// isPlainText reports whether s can be written as is: printable ASCII and
// spaces, no word too long to fold, nothing a decoder would take for an
// encoded word.
func isPlainText(s string) bool {
	word := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			word = 0
			continue
		}
		if c < 0x21 || c > 0x7e {
			return false
		}
		if word++; word > maxPlainWord {
			return false
		}
	}
	return !strings.Contains(s, "=?")
}

func isPlainWord(w string) bool {
	return len(w) <= maxPlainWord && isPlainText(w)
}

// encodeWords encodes s as a sequence of RFC 2047 "Q" encoded words in
// UTF-8, separated by single spaces (fold points), each at most 75 octets
// and each holding whole characters (RFC 2047 §5 rule 3). Only letters,
// digits and "!*+-/" stay literal, the set allowed in every context,
// including a display-name phrase.
func encodeWords(s string) string {
	const prefix, suffix = "=?utf-8?q?", "?="
	const room = maxEncodedWord - len(prefix) - len(suffix)
	var b strings.Builder
	var word []byte
	flush := func() {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(prefix)
		b.Write(word)
		b.WriteString(suffix)
		word = word[:0]
	}
	var one [16]byte
	for _, r := range s {
		e := one[:0]
		var rb [utf8.UTFMax]byte
		n := utf8.EncodeRune(rb[:], r)
		for _, c := range rb[:n] {
			switch {
			case c == ' ':
				e = append(e, '_')
			case isQLiteral(c):
				e = append(e, c)
			default:
				e = append(e, '=', upperHex[c>>4], upperHex[c&0xf])
			}
		}
		if len(word)+len(e) > room {
			flush()
		}
		word = append(word, e...)
	}
	if len(word) > 0 || b.Len() == 0 {
		flush()
	}
	return b.String()
}

const upperHex = "0123456789ABCDEF"

func isQLiteral(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '!' || c == '*' || c == '+' || c == '-' || c == '/'
}
