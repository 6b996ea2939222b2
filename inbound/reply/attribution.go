package reply

import (
	"regexp"
	"strings"
)

// attributionRE matches a whole attribution line in the languages of
// [Languages]: an opener ("On", "Le", "Am", "Il", "Op", "Em", …) and a
// verb ("wrote", "a écrit", "schrieb", "ha scritto", "schreef",
// "escreveu", …) before the colon, with the name or address the German and
// Dutch forms put after the verb; "Name via Service wrote:"; Gmail's
// "Name <addr> schrieb am <date>:"; and the verbs of a few more languages.
// Each alternative has at most two unbounded wildcards around fixed words,
// which RE2 matches in linear time.
var attributionRE = regexp.MustCompile(`^(?:` + attributionOpeners + `\s.*\s(?i:` + attributionVerbs + `)(?:\s[^:]{0,200})?\s*:` +
	`|.+\svia\s.+\s(?i:` + attributionVerbs + `)\s*:?` +
	`|.+\s(?i:wrote\s+on|schrieb\s+am|a\s+écrit\s+le)\s.+:` +
	`|.*\s(?:написал|написала|napisał|scrisse|skrev|kirjoitti)\s*:)\s*$`)

var (
	attributionOpeners = phrases(func(l Language) []string { return l.AttributionOpeners })
	attributionVerbs   = phrases(func(l Language) []string { return l.AttributionVerbs })
	openerList         = openerWords()
	openers            = func() map[string]bool {
		m := map[string]bool{}
		for _, w := range openerList {
			m[w] = true
		}
		return m
	}()
)

// attributionEndRE matches the end of an attribution: a verb, optionally
// a name or address, and the colon.
var attributionEndRE = regexp.MustCompile(`(?i:` + attributionVerbs + `|написал|написала)(?:\s[^:]{0,200})?\s*:\s*$`)

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

// attributionStart reports whether l opens like an attribution: the first
// word of an opener of [Languages] ("On", "Le", "Am", …) and a blank.
func attributionStart(l string) bool {
	sp := strings.IndexAny(l, " \t")
	return sp > 0 && sp <= 3 && l[0] >= 'A' && l[0] <= 'Z' && isOpener(l[:sp])
}

// isOpener reports whether w, in any case, is one of the openers. An
// ASCII word is lower-cased on the stack: this runs on every line of a
// reply.
func isOpener(w string) bool {
	var b [3]byte
	if len(w) > len(b) {
		return openers[strings.ToLower(w)]
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 0x80 {
			return openers[strings.ToLower(w)]
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return openers[string(b[:len(w)])]
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
	out := lineEdit{lines: lines}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		// "reply On Wed, Apr 4, 2012 at 3:59 PM, bob@example.com wrote:"
		// over a quote: the answer and the attribution share a line.
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], ">") {
			if before, attr, ok := splitSharedAttribution(l); ok {
				out.add(before, attr)
				continue
			}
		}
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
						out.add(joined)
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
		// "Name <addr> schrieb am Fr., 28." / "Apr. 2017 um 11:53 Uhr:"
		// (Gmail folds its German attribution wherever a word ends), and
		// "2016-03-03 17:21 GMT+01:00 Name <" / "addr>:".
		if i+1 < len(lines) && !strings.HasPrefix(l, ">") && foldedPair(l, lines[i+1]) {
			joined := strings.TrimSpace(l) + " " + strings.TrimSpace(lines[i+1])
			if isAttribution(joined) {
				out.add(joined)
				i++
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
				out.add(joined)
				i++
				continue
			}
		}
		out.keep(i)
	}
	return out.result()
}

// lineEdit builds an edited copy of lines only once an edit is made:
// until then the result is lines itself, not a copy.
type lineEdit struct {
	lines []string
	n     int // lines[:n] are kept as they are, while out is nil
	out   []string
}

// keep appends lines[i] unchanged.
func (e *lineEdit) keep(i int) {
	if e.out == nil && e.n == i {
		e.n++
		return
	}
	e.edited()
	e.out = append(e.out, e.lines[i])
}

// add appends lines that are not in lines as they are.
func (e *lineEdit) add(s ...string) {
	e.edited()
	e.out = append(e.out, s...)
}

func (e *lineEdit) edited() {
	if e.out == nil {
		e.out = append(make([]string, 0, len(e.lines)), e.lines[:e.n]...)
	}
}

func (e *lineEdit) result() []string {
	if e.out == nil {
		return e.lines[:e.n]
	}
	return e.out
}

// splitSharedAttribution splits a line that ends with an attribution
// after some text of the answer, at the opener ("On", "Le", …) preceded
// by a blank or a dash.
func splitSharedAttribution(l string) (before, attr string, ok bool) {
	t := strings.TrimRight(l, " \t")
	if strings.HasPrefix(l, ">") || !strings.HasSuffix(t, ":") || attributionStart(strings.TrimSpace(t)) || len(t) > 400 {
		return "", "", false
	}
	for _, w := range openerList {
		for _, sep := range []string{" ", "-"} {
			k := strings.Index(strings.ToLower(t), sep+w+" ")
			if k <= 0 {
				continue
			}
			rest := t[k+1:]
			if !attributionStart(rest) || !isAttribution(rest) {
				continue
			}
			before = strings.TrimRight(t[:k+1], " -")
			if strings.TrimSpace(before) == "" {
				continue
			}
			return before, rest, true
		}
	}
	return "", "", false
}

// foldedPair reports whether l and next look like one attribution folded
// in two: l names an address or ends in "<", l does not end in a colon,
// and next is a short line ending in one.
func foldedPair(l, next string) bool {
	t, n := strings.TrimSpace(l), strings.TrimSpace(next)
	if t == "" || strings.HasSuffix(t, ":") || !strings.HasSuffix(n, ":") || len(n) > 80 || strings.HasPrefix(n, ">") {
		return false
	}
	return strings.HasSuffix(t, "<") && strings.Contains(n, "@") && strings.HasSuffix(n, ">:") ||
		strings.Contains(t, "@") && (strings.Contains(t, " schrieb am ") || strings.Contains(t, " wrote on "))
}

// cutUnquotedOriginal cuts lines at an attribution, or at a mobile
// signature ending in a link, whose next non-blank line is not quoted
// (rule 3 of [StripQuote]).
func cutUnquotedOriginal(lines []string) []string {
	for i, l := range lines {
		if strings.HasPrefix(l, ">") || strings.TrimSpace(l) == "" {
			continue
		}
		// An attribution over an unquoted original names an address or
		// a date: "On Monday I wrote:" in an answer is not one.
		attribution := (isAttribution(l) || looseAttribution(l)) && (strings.Contains(l, "@") || dateRE.MatchString(l))
		if !attribution && !linkedDeviceSignature(l) {
			continue
		}
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
			j++
		}
		if j == len(lines) || !strings.HasPrefix(lines[j], ">") {
			return lines[:i]
		}
	}
	return lines
}

// looseAttribution reports whether l is an "On <date> Name <addr> wrote"
// that lost its colon: an opener, an address, and a verb at the end.
func looseAttribution(l string) bool {
	t := strings.TrimSpace(l)
	return len(t) <= 400 && attributionStart(t) && strings.Contains(t, "@") && attributionRE.MatchString(t+":")
}

// linkedDeviceSignature reports whether l is a mobile client's signature
// with a link after it, as Outlook mobile writes in plain text: "Get
// Outlook for iOS<https://aka.ms/o0ukef>".
func linkedDeviceSignature(l string) bool {
	t := strings.TrimSpace(l)
	lt := strings.Index(t, "<http")
	return lt > 0 && strings.HasSuffix(t, ">") && isSignatureStart(t[:lt])
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
