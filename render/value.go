package render

import (
	"strings"
	"unicode/utf8"
)

// cleanValue makes a value safe to show: invalid UTF-8 becomes U+FFFD, C0
// controls other than tab and line feed are removed, and so are the
// bidirectional overrides and isolates U+202A–U+202E and U+2066–U+2069,
// which could make text read differently from what it is.
func cleanValue(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 || c == '\t' || c == '\n' {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteRune(utf8.RuneError)
		case isBidiControl(r):
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

// isClean is the fast path of cleanValue: ASCII text without controls, or
// valid UTF-8 without bidi controls (all of which start with 0xE2).
func isClean(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\n' {
			return false
		}
		if c >= utf8.RuneSelf {
			ascii = false
			if c == 0xE2 && i+2 < len(s) {
				if r, _ := utf8.DecodeRuneInString(s[i:]); isBidiControl(r) {
					return false
				}
			}
		}
	}
	return ascii || utf8.ValidString(s)
}
