package identity

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mailtrail/mailtrail/internal/charset"
)

// replyWords are the reply and forward prefixes that mail clients write,
// in the languages we serve and a few more, lower case: Re:, AW:, SV:,
// VS:, Antw:, Fwd:, FW:, WG:, TR:, RV:, Enc:, Rif:, Odp:, Réf. :, Rép. :.
var replyWords = map[string]bool{
	"re": true, "r": true, "aw": true, "antw": true, "antwort": true, "sv": true, "vs": true,
	"fwd": true, "fw": true, "wg": true, "tr": true, "rv": true, "enc": true, "rif": true,
	"odp": true, "ynt": true, "ref": true, "réf": true, "rep": true, "rép": true,
}

// cutReplyPrefix removes one reply prefix from the start of s: a word of
// replyWords, an optional counter ("[2]" or "(2)"), an optional '.', and a
// colon (or a full-width one), with white space allowed between them.
func cutReplyPrefix(s string) (string, bool) {
	s = strings.TrimLeft(s, " \t")
	end := 0
	for end < len(s) && end <= len("antwort")+1 {
		r, size := utf8.DecodeRuneInString(s[end:])
		if !unicode.IsLetter(r) {
			break
		}
		end += size
	}
	if end == 0 || !replyWords[strings.ToLower(s[:end])] {
		return s, false
	}
	rest := strings.TrimLeft(s[end:], " \t")
	if len(rest) > 0 && (rest[0] == '[' || rest[0] == '(') {
		closer := byte(']')
		if rest[0] == '(' {
			closer = ')'
		}
		n := 1
		for n < len(rest) && n < 8 && '0' <= rest[n] && rest[n] <= '9' {
			n++
		}
		if n > 1 && n < len(rest) && rest[n] == closer {
			rest = strings.TrimLeft(rest[n+1:], " \t")
		}
	}
	if strings.HasPrefix(rest, ".") {
		rest = strings.TrimLeft(rest[1:], " \t")
	}
	for _, colon := range []string{":", "："} {
		if after, ok := strings.CutPrefix(rest, colon); ok {
			return after, true
		}
	}
	return s, false
}

// gatewayMarkers are bracketed words that mail gateways put in front of
// subjects; they look like short tags and are skipped.
var gatewayMarkers = map[string]bool{
	"external": true, "extern": true, "externe": true, "externo": true, "ext": true,
	"spam": true, "junk": true, "bulk": true, "suspect": true, "caution": true,
	"warning": true, "secure": true, "encrypt": true, "sensitive": true, "phishing": true,
}

// SubjectTag finds the subject tag in a Subject header value as it came
// off the wire (RFC 2047 encoded words are decoded first) and returns what
// is inside the brackets. It looks past any number of reply and forward
// prefixes and gateway markers such as [EXTERNAL], then anywhere in the
// subject. A tag is one to [MaxTagLen] characters of [A-Za-z0-9_-] (a
// whole readable id, or the short form of a long one), returned
// as found; past the start of the subject it must also hold a digit, so
// that words in brackets ("Lunch? [ok]") are not taken for tags.
//
// A tag is a prefix of a resource id that anyone can type: treat it as a
// hint, never as proof (see [Trace]).
func SubjectTag(subject string) (string, bool) {
	s := BaseSubject(subject)
	if tag, ok := leadingTag(s); ok {
		return tag, true
	}
	for rest := s; ; {
		open := strings.IndexByte(rest, '[')
		if open < 0 {
			return "", false
		}
		rest = rest[open:]
		if inner, _, ok := bracketed(rest); ok && isInnerTag(inner) {
			return inner, true
		}
		rest = rest[1:]
	}
}

// isTag reports whether inner, from between brackets, reads as a tag.
func isTag(inner string) bool {
	return len(inner) <= MaxTagLen && validID(inner) && !gatewayMarkers[strings.ToLower(inner)]
}

// isInnerTag reports whether inner, found after other text in a subject,
// reads as a tag. There it must also hold a digit: words people put in
// brackets mid-subject ("Lunch? [ok]", "Report [final]") have none, while
// the first eight characters of a UUID lack one only once in about 2 500
// ids. A tag where [Stamp.Subject] puts it, at the start, needs no digit.
func isInnerTag(inner string) bool {
	return isTag(inner) && strings.ContainsAny(inner, "0123456789")
}

// leadingTag returns the tag at the start of s, skipping gateway markers
// and the reply prefixes after them.
func leadingTag(s string) (string, bool) {
	for {
		s = strings.TrimLeft(s, " \t")
		inner, rest, ok := bracketed(s)
		if !ok {
			return "", false
		}
		if isTag(inner) {
			return inner, true
		}
		if !gatewayMarkers[strings.ToLower(inner)] {
			return "", false
		}
		s = stripPrefixes(rest)
	}
}

// maxBracketed bounds the search for a closing bracket: tags and gateway
// markers are short, and a bounded search keeps SubjectTag linear on a
// hostile subject such as "[[[[…".
const maxBracketed = MaxTagLen

// bracketed splits "[inner]rest" where inner is at most maxBracketed long.
func bracketed(s string) (inner, rest string, ok bool) {
	if !strings.HasPrefix(s, "[") {
		return "", "", false
	}
	window := s[1:min(len(s), 2+maxBracketed)]
	end := strings.IndexByte(window, ']')
	if end < 0 {
		return "", "", false
	}
	return window[:end], s[end+2:], true
}

// BaseSubject returns a Subject header value as it came off the wire (RFC
// 2047 encoded words are decoded first) without its leading reply and
// forward prefixes ("Re:", "AW:", "Fwd:", "Rép. :", "RE[2]:", … in any
// number and letter case): the subject the conversation started with,
// much like RFC 5256's base subject, trimmed of leading white space. Gateway markers such
// as "[EXTERNAL]" and subject tags stay.
func BaseSubject(subject string) string {
	return stripPrefixes(charset.DecodeHeader(subject))
}

// stripPrefixes removes every leading reply or forward prefix.
func stripPrefixes(s string) string {
	for {
		rest, ok := cutReplyPrefix(s)
		if !ok {
			return rest
		}
		s = rest
	}
}
