package mailer

import (
	"fmt"
	"net/mail"
	"strings"
)

// address is one checked mailbox: the bare addr-spec that goes on the SMTP
// envelope and the optional display name.
type address struct {
	Name string // display name, UTF-8, may be empty
	Addr string // local@domain, ASCII, checked by checkAddrSpec
}

// parseAddress parses one mailbox as written by a caller, "a@x.test" or
// "Name <a@x.test>", with net/mail, then holds it to the stricter rules that
// keep it harmless on an SMTP command line and in a header: see
// checkAddrSpec. what names the field in errors.
func parseAddress(what, s string) (address, error) {
	if strings.TrimSpace(s) == "" {
		return address{}, fmt.Errorf("%s: empty address", what)
	}
	if err := checkHeaderText(what+" "+quoteForError(s), s); err != nil {
		return address{}, err
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return address{}, fmt.Errorf("%s %s: %w", what, quoteForError(s), err)
	}
	if err := checkAddrSpec(a.Address); err != nil {
		return address{}, fmt.Errorf("%s %s: %w", what, quoteForError(s), err)
	}
	if err := checkHeaderText(what+" display name", a.Name); err != nil {
		return address{}, err
	}
	return address{Name: a.Name, Addr: a.Address}, nil
}

// parseAddresses parses every entry of list; each entry is one mailbox.
func parseAddresses(what string, list []string) ([]address, error) {
	out := make([]address, 0, len(list))
	for i, s := range list {
		a, err := parseAddress(fmt.Sprintf("%s[%d]", what, i), s)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// checkAddrSpec holds an addr-spec to the form every relay accepts and no
// relay misreads: a dot-atom local part of at most 64 octets (RFC 5321
// §4.5.3.1.1) and a domain of letters, digits and hyphens. Quoted local parts,
// address literals and non-ASCII addresses (SMTPUTF8) are refused: a quoted
// local part such as `"a@b> ORCPT=c"@d` is legal RFC 5322 but has been used
// to smuggle ESMTP parameters past naive SMTP servers.
func checkAddrSpec(s string) error {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return fmt.Errorf("missing @")
	}
	local, domain := s[:at], s[at+1:]
	if local == "" {
		return fmt.Errorf("empty local part")
	}
	if len(local) > 64 {
		return fmt.Errorf("local part is %d octets, more than 64", len(local))
	}
	if !isDotAtom(local) {
		return fmt.Errorf("local part %q is not a dot-atom (quoted local parts and non-ASCII addresses are not supported)", local)
	}
	if err := checkDomain(domain); err != nil {
		return err
	}
	return nil
}

func checkDomain(d string) error {
	if d == "" {
		return fmt.Errorf("empty domain")
	}
	if len(d) > 253 {
		return fmt.Errorf("domain is %d octets, more than 253", len(d))
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("domain %q is not a host name", d)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return fmt.Errorf("domain %q is not a host name (ASCII letters, digits, hyphens; use punycode for international names)", d)
			}
		}
	}
	return nil
}

// isDotAtom reports whether s is a dot-atom-text (RFC 5322 §3.2.3).
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '.' && !isAtext(s[i]) {
			return false
		}
	}
	return true
}

// isAtext reports whether c is atext (RFC 5322 §3.2.3).
func isAtext(c byte) bool {
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// formatAddress writes a for a header: the bare addr-spec alone, or the display name as
// a phrase before it — atoms as they are, a quoted string when the name holds
// specials, RFC 2047 encoded words when it holds non-ASCII or a word too long
// to fold.
func formatAddress(a address) string {
	if a.Name == "" {
		return a.Addr
	}
	return formatPhrase(a.Name) + " <" + a.Addr + ">"
}

func formatPhrase(name string) string {
	if !isPlainText(name) || strings.HasPrefix(name, " ") || strings.HasSuffix(name, " ") || strings.Contains(name, "  ") {
		return encodeWords(name)
	}
	atoms := true
	for i := 0; i < len(name); i++ {
		if c := name[i]; c != ' ' && !isAtext(c) {
			atoms = false
			break
		}
	}
	if atoms {
		return name
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(name); i++ {
		if c := name[i]; c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(name[i])
	}
	b.WriteByte('"')
	return b.String()
}

// quoteForError quotes s for an error message, shortened when long.
func quoteForError(s string) string {
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return fmt.Sprintf("%q", s)
}
