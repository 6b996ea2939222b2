package identity

import (
	"regexp"
	"strings"
)

// replyPrefix matches one reply or forward prefix at the start of a
// subject, as mail clients write them in the languages we serve and a few
// more: Re:, RE:, Re[2]:, AW:, SV:, VS:, Antw:, Fwd:, FW:, WG:, TR:, RV:,
// Enc:, Rif:, Odp:, Réf. :, Rép. :, and the full-width colon.
var replyPrefix = regexp.MustCompile(`(?i)^\s*(re|r|aw|antw|antwort|sv|vs|fwd|fw|wg|tr|rv|enc|rif|odp|ynt|r[ée]f|r[ée]p)\s*(\[\d+\]|\(\d+\))?\s*\.?\s*[:：]\s*`)

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
// subject. A tag is one to [TagLen] characters of [A-Za-z0-9_-], returned
// as found.
//
// A tag is a prefix of a resource id that anyone can type: treat it as a
// hint, never as proof (see [Trace]).
func SubjectTag(subject string) (string, bool) {
	s := stripPrefixes(decodeHeader(subject))
	if tag, ok := leadingTag(s); ok {
		return tag, true
	}
	for rest := s; ; {
		open := strings.IndexByte(rest, '[')
		if open < 0 {
			return "", false
		}
		rest = rest[open:]
		if inner, _, ok := bracketed(rest); ok && isTag(inner) {
			return inner, true
		}
		rest = rest[1:]
	}
}

// isTag reports whether inner, from between brackets, reads as a tag.
func isTag(inner string) bool {
	return len(inner) <= TagLen && validID(inner) && !gatewayMarkers[strings.ToLower(inner)]
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
const maxBracketed = 16

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

// stripPrefixes removes every leading reply or forward prefix.
func stripPrefixes(s string) string {
	for {
		loc := replyPrefix.FindStringIndex(s)
		if loc == nil {
			return strings.TrimLeft(s, " \t")
		}
		s = s[loc[1]:]
	}
}
