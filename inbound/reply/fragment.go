package reply

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
	lines = prepareLines(lines)
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
		quoted := strings.HasPrefix(line, ">") || i > 0 && strings.HasPrefix(lines[i-1], ">") && linkTail(line)
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

// prepareLines returns lines as fragments reads them. A line of
// underscores (Outlook) directly under text gets a blank line above it,
// so that it can start a signature fragment; a leading empty line goes,
// as email_reply_parser, which reads the reversed text line by line,
// never sees it.
func prepareLines(lines []string) []string {
	fixed := make([]string, 0, len(lines))
	for i, l := range lines {
		if i > 0 && strings.HasPrefix(l, "________") && lines[i-1] != "" {
			fixed = append(fixed, "")
		}
		fixed = append(fixed, l)
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
	if last < 2 || frags[last].quoted || !signOff(frags[last].content) {
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

// signOff reports whether text is a sign-off alone: a closing line and at
// most one more short line (a name).
func signOff(text string) bool {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return len(lines) >= 1 && len(lines) <= 2 && closingRE.MatchString(lines[0]) &&
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
