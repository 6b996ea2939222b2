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
// device or app line ("Sent from my iPhone", "Envoyé de mon iPhone", "Von
// meinem iPhone gesendet", "Enviado desde mi iPhone", "Get Outlook for
// iOS", …). These are email_reply_parser's rules read top-down, plus the
// translations.
//
// Samsung's default lines end in a period ("Sent from my Samsung Galaxy
// smartphone.", "Von meinem Samsung Galaxy Smartphone gesendet.") and
// Outlook mobile's are translated ("Obtenir Outlook pour Android").
var signatureRE = regexp.MustCompile(`^\s*--|^\s*__|^-\w` +
	`|^Sent from my(?:\s+\w+){1,3}\.?\s*$` +
	`|^(?:Sent from|Get) (?:Outlook|Mail|Yahoo Mail|Gmail|AOL|Samsung|ProtonMail|Proton Mail)\b[^.,;:!?]{0,40}$` +
	`|^Sent with \w+` +
	`|^Envoyé (?:de|depuis) (?:mon|ma|l'application)(?:\s+[\w'’]+){1,3}\.?\s*$` +
	`|^Von meinem(?:\s+\w+){1,3} gesendet\.?\s*$|^Gesendet von(?:\s+\w+){1,3}\s*$` +
	`|^Enviado desde mi(?:\s+\w+){1,3}\.?\s*$` +
	`|^(?:Obtenir|Télécharger) Outlook pour (?:iOS|Android)\s*$|^Outlook für (?:iOS|Android) herunterladen\s*$|^Obtener Outlook para (?:iOS|Android)\s*$`)

// isSignatureStart is signatureRE.MatchString with a cheap test first:
// every alternative starts with blanks and "-" or "_", or with one of a
// few capital letters.
func isSignatureStart(l string) bool {
	t := strings.TrimLeft(l, " \t\r\n\f")
	if t == "" {
		return false
	}
	switch t[0] {
	case '-', '_', 'S', 'G', 'E', 'V', 'O', 'T':
		return signatureRE.MatchString(l)
	}
	return false
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
		if cur != nil && line == "" && isSignatureStart(cur.lines[len(cur.lines)-1]) {
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
