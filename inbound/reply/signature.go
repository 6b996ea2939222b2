package reply

import (
	"net/mail"
	"regexp"
	"strings"
)

// sigWindow is how many non-blank lines from the bottom a signature may
// start in (talon uses the same bound).
const sigWindow = 11

// closingRE matches a sign-off line of [Languages] ("Thanks,",
// "Cordialement,", "Mit freundlichen Grüßen", "Saludos", "Cordiali
// saluti", "Met vriendelijke groet", "Atenciosamente", …) with at most 30
// more characters and no sentence end.
var closingRE = regexp.MustCompile(`(?i)^\s*` + phrases(func(l Language) []string { return l.Closings }) + `(?:[^\pL\pN][^.?]{0,30})?$`)
var sigRuleRE = regexp.MustCompile(`^\s*(?:--\s*|[-_=*]{4,}\s*)$`)

// StripSignature splits a reply body (quotes already stripped, see
// [StripQuote]) into the text and the signature at its end, given the
// sender ("Name <addr>", a bare address or a name; may be empty). The
// signature starts, within the last 11 non-blank lines, at a "-- " line,
// or at the first short line (at most four words) naming the sender (the
// display name or one of its words, the address, its local part or one of
// the local part's words, at least three letters each), moved up
// to a rule line ("----") or a closing line ("Thanks,", "Cordialement,",
// "Mit freundlichen Grüßen", "Saludos", …) just above. Without a sender
// only the "-- " delimiter counts. Both results are trimmed of white space;
// the signature is empty when none was found.
func StripSignature(text, sender string) (body, signature string) {
	text = normalizeNewlines(text)
	t := strings.TrimRight(text, " \t\n")
	// Only the end of the text is read: the window, and the three
	// non-blank lines a signature may move up over.
	lines, base, off := lastLines(t, sigWindow+3)
	// The window: the last sigWindow non-blank lines.
	start, n := len(lines), 0
	for i := len(lines) - 1; i >= 0 && n < sigWindow; i-- {
		if strings.TrimSpace(lines[i]) != "" {
			n++
			start = i
		}
	}
	names := senderTokens(sender)
	at := -1
	for i := start; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimRight(l, " ") == "--" {
			at = i
			break
		}
		if len(names) > 0 && len(strings.Fields(l)) <= 4 && namesSender(l, names) {
			at = i
			break
		}
	}
	if at < 0 || base+at == 0 {
		return strings.TrimSpace(text), ""
	}
	// Move up over a rule or a closing line just above.
	seen := 0
	for k := at - 1; base+k > 0 && seen < 3; k-- {
		l := lines[k]
		if strings.TrimSpace(l) == "" {
			continue
		}
		seen++
		if sigRuleRE.MatchString(l) || seen == 1 && closingRE.MatchString(l) {
			at = k
			if closingRE.MatchString(l) {
				break
			}
		}
	}
	// The lines are t's: the text above the signature is a part of t.
	cut := off
	for _, l := range lines[:at] {
		cut += len(l) + 1
	}
	return strings.TrimSpace(t[:cut-1]), strings.TrimSpace(t[cut:])
}

// lastLines splits the end of t into lines, from the line that has keep
// non-blank lines at or below it (from the top when t has fewer). base
// is the index of the first line returned among all of t's lines, off
// where it starts in t.
func lastLines(t string, keep int) (lines []string, base, off int) {
	end, n := len(t), 0
	for {
		start := strings.LastIndexByte(t[:end], '\n') + 1
		if strings.TrimSpace(t[start:end]) != "" {
			if n++; n == keep {
				off = start
				break
			}
		}
		if start == 0 {
			break
		}
		end = start - 1
	}
	return strings.Split(t[off:], "\n"), strings.Count(t[:off], "\n"), off
}

// senderTokens lists the lower-cased forms of the sender to look for.
func senderTokens(sender string) []string {
	sender = strings.TrimSpace(sender)
	if sender == "" {
		return nil
	}
	var name, addr string
	if a, err := mail.ParseAddress(sender); err == nil {
		name, addr = a.Name, a.Address
	} else if strings.Contains(sender, "@") {
		addr = sender
	} else {
		name = sender
	}
	var toks []string
	add := func(s string) {
		if s = strings.ToLower(strings.TrimSpace(s)); len(s) >= 3 {
			toks = append(toks, s)
		}
	}
	add(name)
	// Each word of the display name ("Müller, Hans" signs "Hans Müller").
	if f := strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == ',' || r == '"' }); len(f) > 1 {
		for _, w := range f {
			add(w)
		}
	}
	if addr != "" {
		add(addr)
		local, _, _ := strings.Cut(addr, "@")
		add(local)
		if f := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '+' }); len(f) > 1 {
			for _, w := range f {
				add(w)
			}
		}
	}
	return toks
}

// namesSender reports whether line holds one of the tokens as whole words.
func namesSender(line string, toks []string) bool {
	l := strings.ToLower(line)
	for _, t := range toks {
		for off := 0; ; {
			i := strings.Index(l[off:], t)
			if i < 0 {
				break
			}
			i += off
			if (i == 0 || !isWordByte(l[i-1])) && (i+len(t) == len(l) || !isWordByte(l[i+len(t)])) {
				return true
			}
			off = i + 1
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c >= 0x80
}
