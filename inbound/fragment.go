package inbound

import (
	"regexp"
	"strings"
	"unicode"
)

// fragment is a run of lines sharing the quoted/signature attributes, as
// github/email_reply_parser models a reply.
type fragment struct {
	lines     []string // bottom-up while reading
	content   string
	quoted    bool
	signature bool
	hidden    bool
}

// signatureRE matches the first line of a signature block (after a blank
// line): "--" or "__" at the start (with leading blanks), "-Name", or a
// device or app line of [ReplyLanguages] ("Sent from my iPhone", "Envoyé
// de mon iPhone", "Von meinem iPhone gesendet", "Inviato da iPhone", "Get
// Outlook for iOS", …): the phrase and at most four more words, ending
// the line (Samsung's end in a period). These are email_reply_parser's
// rules read top-down, plus the translations.
var signatureRE = regexp.MustCompile(`^\s*--|^\s*__|^-\w` +
	`|^\s*` + phrases(func(l ReplyLanguage) []string { return l.DeviceSignatures }) + `(?:\s+[\pL\pN'’&-]+){0,4}\.?\s*$`)

// isSignatureStart is signatureRE.MatchString with a cheap test first:
// every alternative starts with blanks and "-" or "_", or with a capital
// letter.
func isSignatureStart(l string) bool {
	t := strings.TrimLeft(l, " \t\r\n\f")
	if t == "" {
		return false
	}
	if c := t[0]; c == '-' || c == '_' || 'A' <= c && c <= 'Z' || c >= 0x80 {
		return signatureRE.MatchString(l)
	}
	return false
}

// sectionRule reports whether the top line of a fragment read bottom-up
// is a rule of underscores with a blank line under it: a writer's section
// break inside the reply, not the rule Outlook puts right above a quoted
// header block or a signature.
func sectionRule(bottomUp []string) bool {
	n := len(bottomUp)
	return n >= 2 && strings.HasPrefix(strings.TrimSpace(bottomUp[n-1]), "__") && bottomUp[n-2] == "" &&
		strings.Trim(bottomUp[n-1], "_ \t") == ""
}

// fragments splits lines into fragments, bottom-up, and marks the hidden
// ones: quoted or signature fragments, or blank ones, below the last
// fragment of text.
func fragments(lines []string) []*fragment {
	// A line of underscores (Outlook) directly under text gets a blank
	// line above it, so that it can start a signature fragment.
	fixed := make([]string, 0, len(lines))
	for i, l := range lines {
		if i > 0 && strings.HasPrefix(l, "________") && lines[i-1] != "" {
			fixed = append(fixed, "")
		}
		fixed = append(fixed, l)
	}
	lines = fixed
	// email_reply_parser reads the reversed text line by line: a leading
	// empty line of the text is never seen.
	if len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	var (
		frags        []*fragment
		cur          *fragment
		foundVisible bool
	)
	finish := func() {
		if cur == nil {
			return
		}
		for i, j := 0, len(cur.lines)-1; i < j; i, j = i+1, j-1 {
			cur.lines[i], cur.lines[j] = cur.lines[j], cur.lines[i]
		}
		cur.content = strings.Join(cur.lines, "\n")
		cur.lines = nil
		if !foundVisible {
			if cur.quoted || cur.signature || strings.TrimSpace(cur.content) == "" {
				cur.hidden = true
			} else {
				foundVisible = true
			}
		}
		frags = append(frags, cur)
		cur = nil
	}
	for i := len(lines) - 1; i >= 0; i-- {
		line := lines[i]
		if !isSignatureStart(line) {
			line = strings.TrimRightFunc(line, unicode.IsSpace)
		}
		quoted := strings.HasPrefix(line, ">")
		if cur != nil && line == "" && isSignatureStart(cur.lines[len(cur.lines)-1]) && !sectionRule(cur.lines) {
			cur.signature = true
			finish()
		}
		if cur != nil && (cur.quoted == quoted || cur.quoted && (isAttribution(line) || line == "")) {
			cur.lines = append(cur.lines, line)
		} else {
			finish()
			cur = &fragment{quoted: quoted, lines: []string{line}}
		}
	}
	finish()
	for i, j := 0, len(frags)-1; i < j; i, j = i+1, j-1 {
		frags[i], frags[j] = frags[j], frags[i]
	}
	return frags
}

// dropLeadingQuote hides a quote that opens the reply when the text below
// it holds no further quote: a bottom-posted reply. It reports whether it
// hid one.
func dropLeadingQuote(frags []*fragment) bool {
	first := -1
	for i, f := range frags {
		if f.hidden {
			continue
		}
		if first < 0 {
			if !f.quoted {
				return false
			}
			first = i
			continue
		}
		if f.quoted {
			return false
		}
	}
	if first < 0 {
		return false
	}
	frags[first].hidden = true
	return true
}
