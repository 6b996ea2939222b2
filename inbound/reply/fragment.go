package reply

import (
	"regexp"
	"strings"
	"unicode"
)

// fragment is a run of lines sharing the quoted/signature attributes, as
// github/email_reply_parser models a reply. Its lines are a part of the
// lines being read, top-down, trimmed as the reader keeps them; its
// content is them joined by "\n".
type fragment struct {
	lines     []string
	quoted    bool
	signature bool
	hidden    bool
}

// blank reports whether the fragment's content is white space only.
func (f *fragment) blank() bool {
	for _, l := range f.lines {
		if strings.TrimSpace(l) != "" {
			return false
		}
	}
	return true
}

// signatureRE matches the first line of a signature block (after a blank
// line): "--" or "__" at the start (with leading blanks), "-Name", or a
// device or app line of [Languages] ("Sent from my iPhone", "Envoyé
// de mon iPhone", "Von meinem iPhone gesendet", "Inviato da iPhone", "Get
// Outlook for iOS", …): the phrase and at most four more words, ending
// the line (Samsung's end in a period). These are email_reply_parser's
// rules read top-down, plus the translations.
var signatureRE = regexp.MustCompile(`^\s*--|^\s*__|^-\w` +
	`|^\s*` + phrases(func(l Language) []string { return l.DeviceSignatures }) + `(?:\s+[\pL\pN'’&-]+){0,4}\.?\s*$`)

// deviceFirst holds the first bytes of the device signatures.
var deviceFirst = firstBytes(func(l Language) []string { return l.DeviceSignatures })

// isSignatureStart is signatureRE.MatchString with a cheap test first:
// every alternative starts with blanks and "-" or "_", or with the first
// letter of a device signature.
func isSignatureStart(l string) bool {
	t := strings.TrimLeft(l, " \t\r\n\f")
	if t == "" {
		return false
	}
	if c := t[0]; c == '-' || c == '_' || deviceFirst[c] {
		return signatureRE.MatchString(l)
	}
	return false
}

// sectionRule reports whether the top line of a fragment is a rule of
// underscores with a blank line under it: a writer's section break inside
// the reply, not the rule Outlook puts right above a quoted header block
// or a signature.
func sectionRule(lines []string) bool {
	return len(lines) >= 2 && strings.HasPrefix(strings.TrimSpace(lines[0]), "__") && lines[1] == "" &&
		strings.Trim(lines[0], "_ \t") == ""
}

// fragments splits lines into fragments, bottom-up, and marks the hidden
// ones: quoted or signature fragments, or blank ones, below the last
// fragment of text. The lines are trimmed in place: each fragment holds a
// part of lines, not a copy.
func fragments(lines []string) []*fragment {
	lines = prepareLines(lines)
	var (
		frags        []*fragment
		top          = -1 // the top line of the fragment being read; -1 when none
		cur          *fragment
		foundVisible bool
	)
	finish := func(bottom int) {
		if cur == nil {
			return
		}
		cur.lines = lines[top : bottom+1]
		if !foundVisible {
			if cur.quoted || cur.signature || cur.blank() {
				cur.hidden = true
			} else {
				foundVisible = true
			}
		}
		frags = append(frags, cur)
		cur = nil
	}
	bottom := len(lines) - 1 // the bottom line of the fragment being read
	for i := len(lines) - 1; i >= 0; i-- {
		line := lines[i]
		if !isSignatureStart(line) {
			line = strings.TrimRightFunc(line, unicode.IsSpace)
		}
		quoted := strings.HasPrefix(line, ">") || i > 0 && strings.HasPrefix(lines[i-1], ">") && linkTail(line)
		if cur != nil && line == "" && isSignatureStart(lines[top]) && !sectionRule(lines[top:bottom+1]) {
			cur.signature = true
			finish(bottom)
		}
		if cur != nil && (cur.quoted == quoted || cur.quoted && (isAttribution(line) || line == "")) {
			lines[i], top = line, i
		} else {
			finish(bottom)
			cur = &fragment{quoted: quoted}
			lines[i], top, bottom = line, i, i
		}
	}
	finish(bottom)
	for i, j := 0, len(frags)-1; i < j; i, j = i+1, j-1 {
		frags[i], frags[j] = frags[j], frags[i]
	}
	return frags
}

// prepareLines returns lines as fragments reads them. A line of
// underscores (Outlook) directly under text gets a blank line above it,
// so that it can start a signature fragment (lines is copied only then);
// a leading empty line goes, as email_reply_parser, which reads the
// reversed text line by line, never sees it.
func prepareLines(lines []string) []string {
	var fixed []string
	for i, l := range lines {
		if i > 0 && strings.HasPrefix(l, "________") && lines[i-1] != "" {
			if fixed == nil {
				fixed = append(make([]string, 0, len(lines)+1), lines[:i]...)
			}
			fixed = append(fixed, "")
		}
		if fixed != nil {
			fixed = append(fixed, l)
		}
	}
	if fixed == nil {
		fixed = lines
	}
	if len(fixed) > 0 && fixed[0] == "" {
		fixed = fixed[1:]
	}
	return fixed
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

// dropQuoteAboveSignOff hides a quote (with its attribution) that sits
// between the answer and a sign-off ending the message ("Regards, Roman"):
// a sign-off answers nothing, so the quote is history, not an inline
// answer's context.
func dropQuoteAboveSignOff(frags []*fragment) {
	last := -1
	for i := len(frags) - 1; i >= 0; i-- {
		if !frags[i].hidden {
			last = i
			break
		}
	}
	if last < 2 || frags[last].quoted || !signOff(frags[last].lines) {
		return
	}
	q := last - 1
	if frags[q].hidden || !frags[q].quoted {
		return
	}
	for k := q - 1; k >= 0; k-- {
		if !frags[k].hidden && !frags[k].quoted {
			frags[q].hidden = true
			return
		}
	}
}

// signOff reports whether a fragment's lines are a sign-off alone: a
// closing line and at most one more short line (a name).
func signOff(fragment []string) bool {
	var lines []string
	for _, l := range fragment {
		if strings.TrimSpace(l) != "" {
			if lines = append(lines, l); len(lines) > 2 {
				return false
			}
		}
	}
	return len(lines) >= 1 && closingRE.MatchString(lines[0]) &&
		(len(lines) == 1 || len(strings.Fields(lines[1])) <= 4)
}

// linkTail reports whether an unquoted line under a quoted one is the rest
// of a link that the client wrapped out of the quote: one word holding
// "://" or ending a parenthesis opened above, optionally followed by ">"
// ("(http://example.com/c/YzOTYzMmE) >", "_nonce=3dd518)").
func linkTail(line string) bool {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), ">"))
	if t == "" || strings.ContainsAny(t, " \t") {
		return false
	}
	return strings.Contains(t, "://") || strings.HasSuffix(t, ")") && !strings.Contains(t, "(") && strings.ContainsAny(t, "=/_&?")
}
