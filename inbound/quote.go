package inbound

import (
	"regexp"
	"strings"
	"unicode"
)

// StripQuote returns what the writer of a plain-text reply wrote: quoted
// history and signatures removed, trailing white space trimmed. It runs in
// time linear in the length of text (no backtracking patterns), so it is
// safe on hostile input.
//
// The rules, in order:
//
//  1. Everything from the start of a quoted original is cut when the
//     client marks it unambiguously: Outlook's "-----Original
//     Message-----" and its French, German, Spanish and Italian forms,
//     "---------- Forwarded message ---------", "Begin forwarded
//     message:", or a header block (From:, then Sent:/Date:/To:/Subject:
//     and their translations, optionally in *bold*) with the separator
//     line of underscores or dashes above it.
//  2. An attribution line split over several lines by the client ("On …
//     <addr>\nwrote:") is joined.
//  3. The rest is read as github/email_reply_parser reads it: from the
//     bottom up, into fragments of quoted lines (">"), signatures (a line
//     starting "--", "__" or "-Name", or "Sent from my iPhone" and the like,
//     after a blank line) and text. Quoted and signature fragments below
//     the last text written are hidden; quotes between text (inline and
//     bottom-posted replies) stay, with the attribution line ("On … wrote:",
//     "Le … a écrit :", "Am … schrieb …:", "El … escribió:", or any line
//     ending in ":" that names an address or a date) counted as quote.
//  4. A reply written wholly below one quote block (a bottom post with no
//     text above it) loses that leading quote.
//
// Where the two corpora this is tested against disagree, the
// email_reply_parser reading wins: "Sent from my iPhone" and a "-- "
// signature are removed (talon keeps them).
func StripQuote(text string) string {
	text = normalizeNewlines(text)
	lines := strings.Split(text, "\n")
	lines = cutHistory(lines)
	lines = joinAttribution(lines)
	frags := fragments(lines)
	dropped := dropLeadingQuote(frags)
	var b strings.Builder
	first := true
	for _, f := range frags {
		if f.hidden {
			continue
		}
		if !first {
			b.WriteByte('\n')
		}
		first = false
		b.WriteString(f.content)
	}
	out := strings.TrimRightFunc(b.String(), unicode.IsSpace)
	if dropped {
		out = strings.TrimLeft(out, "\n") // the blank line under the quote
	}
	return out
}

// separatorRE matches the "original message" and "forwarded message"
// lines of mail clients in the languages served.
var separatorRE = regexp.MustCompile(`(?i)^\s*(?:-{2,}|_{2,}|={2,})\s*(?:original message|ursprüngliche nachricht|message d'origine|message original|mensaje original|messaggio originale|oorspronkelijk bericht|forwarded message|message transféré|weitergeleitete nachricht|mensaje reenviado|messaggio inoltrato)\s*(?:-{2,}|_{2,}|={2,})?\s*$` +
	`|(?i)^\s*(?:begin forwarded message|début du message (?:réexpédié|transféré)|anfang der weitergeleiteten nachricht|inicio del mensaje reenviado)\s*:\s*$`)

// headerLabelRE matches the first label of a quoted header block (From),
// optionally in *bold* as Gmail renders Outlook's, in the languages served.
var fromLabelRE = regexp.MustCompile(`(?i)^\s*\*{0,2}(?:from|de|von|da|van|od|från|fra|от)\s*\*{0,2}\s*:`)
var otherLabelRE = regexp.MustCompile(`(?i)^\s*\*{0,2}(?:sent|date|to|cc|subject|envoyé|date d'envoi|à|objet|gesendet|datum|an|betreff|enviado|fecha|para|asunto|inviato|data|a|oggetto|verzonden|aan|onderwerp|отправлено|кому|тема|дата|копия)\s*\*{0,2}\s*:`)
var ruleRE = regexp.MustCompile(`^\s*(?:[-_=]\s*){5,}$`)

// cutHistory cuts lines at the first unambiguous start of quoted history.
func cutHistory(lines []string) []string {
	for i, l := range lines {
		if strings.HasPrefix(l, ">") {
			continue
		}
		t := strings.TrimLeft(l, " \t\r\f\v")
		if t == "" {
			continue
		}
		// Cheap tests first: each pattern starts with one of these bytes.
		if strings.IndexByte("-_=bBdDaAiI", t[0]) >= 0 && separatorRE.MatchString(l) {
			return lines[:i]
		}
		if strings.IndexByte(t, ':') > 0 && fromLabelRE.MatchString(l) && headerBlock(lines[i+1:]) {
			cut := i
			// A rule just above (Outlook's underscores, an <hr>) goes too.
			j := i - 1
			for j >= 0 && strings.TrimSpace(lines[j]) == "" {
				j--
			}
			if j >= 0 && ruleRE.MatchString(lines[j]) {
				cut = j
			}
			return lines[:cut]
		}
	}
	return lines
}

// headerBlock reports whether the lines after a From: line carry at least
// two more header labels among the next five non-blank lines.
func headerBlock(after []string) bool {
	n, seen := 0, 0
	for _, l := range after {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if n++; n > 5 {
			break
		}
		if otherLabelRE.MatchString(l) {
			if seen++; seen >= 2 {
				return true
			}
		}
	}
	return false
}

// attributionRE matches a whole attribution line in the languages served.
// Each alternative is anchored at both ends and has a single unbounded
// wildcard, which RE2 matches in linear time.
var attributionRE = regexp.MustCompile(`^(?:On\s.*wrote:|Le\s.*\sa\s+écrit\s*:|Am\s.*\sschrieb.*:|El\s.*\sescribió\s*:|.*\s(?:написал|написала|napisał|schreef|scrisse|skrev|kirjoitti)\s*:)\s*$`)
var attributionEndRE = regexp.MustCompile(`(?:wrote|a\s+écrit|schrieb[^:]*|escribió|написал|написала)\s*:\s*$`)

// attributionEnd reports whether l ends an attribution. Most lines do
// not end with a colon: they are refused before the regular expression,
// which would otherwise try every position of every line.
func attributionEnd(l string) bool {
	return strings.HasSuffix(strings.TrimRight(l, "\t\n\f\r "), ":") && attributionEndRE.MatchString(l)
}

// foldedAttributionEnd reports whether l may end an attribution folded
// after its verb's first word or inside its address: "écrit :",
// "addr>:". The joined lines must then match attributionRE as a whole.
func foldedAttributionEnd(l string) bool {
	t := strings.TrimRight(l, "\t\n\f\r ")
	return strings.HasSuffix(t, ":") && (strings.HasSuffix(t, ">:") || strings.HasPrefix(strings.TrimSpace(t), "écrit"))
}

// attributionStart reports whether l opens like an attribution: "On",
// "Le", "Am" or "El" and a blank.
func attributionStart(l string) bool {
	if len(l) < 3 || (l[2] != ' ' && l[2] != '\t') {
		return false
	}
	switch l[:2] {
	case "On", "Le", "Am", "El":
		return true
	}
	return false
}

var dateRE = regexp.MustCompile(`\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}:\d{2}|\b(?:19|20)\d\d\b`)

// isAttribution reports whether a line introduces a quote: "On … wrote:"
// and its translations, or a line ending in ":" that names an address or
// a date.
func isAttribution(l string) bool {
	t := strings.TrimSpace(l)
	if len(t) > 400 || !strings.HasSuffix(t, ":") {
		return false
	}
	if attributionRE.MatchString(t) {
		return true
	}
	return strings.Contains(t, "@") && dateRE.MatchString(t)
}

// joinAttribution joins an attribution that a client folded over up to
// four lines, such as "On Dec 16, 2011, at 12:47 PM, Corey Donohoe" /
// "<reply@reply.github.com>" / "wrote:", or a localised one whose address
// line ends the line before ("… <" / "addr> написал:").
func joinAttribution(lines []string) []string {
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if attributionStart(l) && !attributionEnd(l) {
			for k := i + 1; k < len(lines) && k <= i+3; k++ {
				if strings.TrimSpace(lines[k]) == "" || strings.HasPrefix(lines[k], ">") {
					break
				}
				// Gmail folds a long attribution wherever a word ends:
				// "… a" / "écrit :", or "… schrieb Name <" / "addr>:".
				if attributionEnd(lines[k]) || foldedAttributionEnd(lines[k]) {
					joined := strings.Join(trimAll(lines[i:k+1]), " ")
					if attributionEnd(lines[k]) && isAttribution(joined) || attributionRE.MatchString(joined) {
						out = append(out, joined)
						i = k
						l = ""
					}
					break
				}
			}
			if l == "" {
				continue
			}
		}
		// "…date… <" / "addr> wrote:" with a quote below.
		if i+1 < len(lines) && strings.TrimSpace(l) != "" && !strings.HasPrefix(l, ">") &&
			!strings.HasPrefix(lines[i+1], ">") && attributionEnd(lines[i+1]) &&
			!attributionStart(lines[i+1]) &&
			quoteFollows(lines[i+2:]) {
			joined := strings.TrimSpace(l) + " " + strings.TrimSpace(lines[i+1])
			if isAttribution(joined) {
				out = append(out, joined)
				i++
				continue
			}
		}
		out = append(out, l)
	}
	return out
}

func quoteFollows(after []string) bool {
	for _, l := range after {
		if strings.TrimSpace(l) == "" {
			continue
		}
		return strings.HasPrefix(l, ">")
	}
	return false
}

func trimAll(ls []string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = strings.TrimSpace(l)
	}
	return out
}
