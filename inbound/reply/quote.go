package reply

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
//     <addr>\nwrote:", Gmail's German "… schrieb am Fr., 28." / "Apr. 2017
//     um 11:53 Uhr:", its wordless "2016-03-03 17:21 GMT+01:00 Name <" /
//     "addr>:") is joined.
//  3. An attribution that names an address or a date and whose next
//     non-blank line is not quoted introduces an original that the client
//     did not mark with ">" (Outlook, many webmails and mobile clients):
//     everything from the attribution on is cut. So is everything from a mobile client's signature line that
//     ends in a link ("Get Outlook for iOS<https://aka.ms/…>") when
//     unquoted text follows it. When quoted lines follow an attribution,
//     the next rule decides: an answer interleaved with the quote stays.
//  4. The rest is read as github/email_reply_parser reads it: from the
//     bottom up, into fragments of quoted lines (">"), signatures (a line
//     starting "--", "__" or "-Name", or "Sent from my iPhone" and the like,
//     after a blank line) and text. Quoted and signature fragments below
//     the last text written are hidden; quotes between text (inline and
//     bottom-posted replies) stay, with the attribution line ("On … wrote:",
//     "Le … a écrit :", "Am … schrieb …:", "El … escribió:", or any line
//     ending in ":" that names an address or a date) counted as quote.
//  5. A reply written wholly below one quote block (a bottom post with no
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
	lines = cutUnquotedOriginal(lines)
	frags := fragments(lines)
	dropped := dropLeadingQuote(frags)
	dropQuoteAboveSignOff(frags)
	out := strings.TrimRightFunc(joinVisible(text, frags), unicode.IsSpace)
	if dropped {
		out = strings.TrimLeft(out, "\n") // the blank line under the quote
	}
	return out
}

// joinVisible returns the lines of the visible fragments joined by "\n".
// When they are the first lines of text as written (the usual answer
// above its history), that is a prefix of text, returned without a copy.
func joinVisible(text string, frags []*fragment) string {
	n, first, prefix := 0, true, true // the length so far; whether it is text[:n]
	for _, f := range frags {
		if f.hidden {
			continue
		}
		for _, l := range f.lines {
			if !first {
				prefix = prefix && n < len(text) && text[n] == '\n'
				n++
			}
			first = false
			prefix = prefix && n <= len(text) && strings.HasPrefix(text[n:], l)
			n += len(l)
		}
	}
	if prefix {
		return text[:n]
	}
	var b strings.Builder
	b.Grow(n)
	first = true
	for _, f := range frags {
		if f.hidden {
			continue
		}
		for _, l := range f.lines {
			if !first {
				b.WriteByte('\n')
			}
			first = false
			b.WriteString(l)
		}
	}
	return b.String()
}

// separatorRE matches the "original message" and "forwarded message"
// lines of mail clients in the languages of [Languages], also in
// *bold* as Gmail shows Outlook's ("*-------- Original Message --------*"),
// and the "Begin forwarded message:" lines.
var separatorRE = regexp.MustCompile(`(?i)^\s*\*{0,2}\s*(?:-{2,}|_{2,}|={2,})\s*` + phrases(func(l Language) []string { return l.Separators }) +
	`\s*(?:-{2,}|_{2,}|={2,})?\s*\*{0,2}\s*$` +
	`|(?i)^\s*` + phrases(func(l Language) []string { return l.ForwardLines }) + `\s*:\s*$`)

// fromLabelRE matches the first label of a quoted header block (From),
// optionally in *bold* as Gmail renders Outlook's; otherLabelRE the others.
// Both hold the labels of [Languages] and a few more languages'.
var fromLabelRE = regexp.MustCompile(`(?i)^\s*\*{0,2}(?:` + phrases(func(l Language) []string { return l.FromLabels }) +
	`|od|från|fra|от)\s*\*{0,2}\s*:`)
var otherLabelRE = regexp.MustCompile(`(?i)^\s*\*{0,2}(?:` + phrases(func(l Language) []string { return l.OtherLabels }) +
	`|отправлено|кому|тема|дата|копия)\s*\*{0,2}\s*:`)
var forwardFirst = firstBytes(func(l Language) []string { return l.ForwardLines })

var ruleRE = regexp.MustCompile(`^\s*(?:[-_=]\s*){4,}$`)

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
		// Cheap test first: each pattern starts with a rule, a '*' or the
		// first letter of a forward line.
		if (strings.IndexByte("-_=*", t[0]) >= 0 || forwardFirst[t[0]]) && separatorRE.MatchString(l) {
			return lines[:i]
		}
		if strings.IndexByte(t, ':') > 0 && headerBlock(lines[i:]) {
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

// headerBlock reports whether lines open a quoted header block: a first
// line with a header label (From:, or another, as in a French webmail's
// "Message du : … / De : … / Sujet :"), and among the first six non-blank
// lines a From label and at least two others.
func headerBlock(lines []string) bool {
	if !fromLabelRE.MatchString(lines[0]) && !otherLabelRE.MatchString(lines[0]) {
		return false
	}
	n, from, other := 0, false, 0
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if n++; n > 6 {
			break
		}
		switch {
		case !from && fromLabelRE.MatchString(l):
			from = true
		case otherLabelRE.MatchString(l):
			other++
		}
		if from && other >= 2 {
			return true
		}
	}
	return false
}

// normalizeNewlines turns CRLF and lone CR into LF, as inbound's
// Part.Text does, for text that did not come through it.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
