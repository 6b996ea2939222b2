package identity

import (
	"fmt"
	"strings"
)

// App is the application's own address, Name@Domain, from which every
// identifier is derived. The zero Keys makes unsigned identifiers; see
// "Signed reply addresses" in the package documentation.
//
// An App is a value: it is safe for concurrent use as long as nobody
// changes its Keys slice.
type App struct {
	Name   string // local part, e.g. "mail-api": [A-Za-z0-9._-], dot-atom, no '+'
	Domain string // e.g. "example.com": a host name, compared case-insensitively
	Keys   []Key  // nil: unsigned; otherwise Keys[0] signs and every key verifies
}

// Key is one secret for signed reply addresses.
type Key struct {
	// ID names the key inside every token it signs: one character of
	// [a-z0-9], unique among an App's keys.
	ID string
	// Secret is the HMAC-SHA256 key, at least 16 octets (32 random octets
	// recommended). Keep it out of source control.
	Secret []byte
}

// minSecret is the shortest accepted secret: 128 bits.
const minSecret = 16

// ParseApp parses an application address "name@domain". The name may hold
// letters, digits, '.', '_' and '-' (no '+': it separates the resource);
// the domain must be a host name. Anything else, including display names,
// angle brackets, white space, CR, LF and NUL, is refused with an error
// wrapping [ErrInvalidApp].
func ParseApp(addr string) (App, error) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return App{}, fmt.Errorf("%w %s: missing '@' (want name@domain)", ErrInvalidApp, quoteShort(addr))
	}
	a := App{Name: addr[:at], Domain: addr[at+1:]}
	if err := a.Check(); err != nil {
		return App{}, err
	}
	return a, nil
}

// String returns "name@domain".
func (a App) String() string { return a.Name + "@" + a.Domain }

// Signed reports whether a has keys, so that its identifiers are signed.
func (a App) Signed() bool { return len(a.Keys) > 0 }

// Check reports whether a is usable: a valid name and domain, and valid,
// distinct keys. Every method that makes or reads identifiers calls it.
func (a App) Check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %s: "+format, append([]any{ErrInvalidApp, quoteShort(a.String())}, args...)...)
	}
	if msg := checkName(a.Name); msg != "" {
		return bad("name: %s", msg)
	}
	if msg := checkDomain(a.Domain); msg != "" {
		return bad("domain: %s", msg)
	}
	seen := map[string]bool{}
	for i, k := range a.Keys {
		if len(k.ID) != 1 || !(k.ID[0] >= 'a' && k.ID[0] <= 'z' || k.ID[0] >= '0' && k.ID[0] <= '9') {
			return bad("key %d: id %q is not one character of [a-z0-9]", i, k.ID)
		}
		if seen[k.ID] {
			return bad("key %d: id %q used twice", i, k.ID)
		}
		seen[k.ID] = true
		if len(k.Secret) < minSecret {
			return bad("key %q: secret of %d octets, want at least %d", k.ID, len(k.Secret), minSecret)
		}
	}
	if a.MaxIDLen() < 1 {
		return bad("name too long: no room left for a resource id in %d octets", MaxLocalPart)
	}
	return nil
}

// MaxIDLen returns the longest resource id, in octets, that keeps the local
// part name+<id>[.<signature>] within [MaxLocalPart] octets. With an app
// name of 8 characters it is 55 unsigned and 41 signed: room for a UUID.
func (a App) MaxIDLen() int {
	n := MaxLocalPart - len(a.Name) - 1
	if a.Signed() {
		n -= 1 + sigLen
	}
	return n
}

// CheckID reports whether id is a valid resource id that fits a's reply
// address. The error is an [*IDError] wrapping [ErrInvalidID] or
// [ErrTooLong]; it names the id and the limit.
func (a App) CheckID(id string) error {
	if err := checkToken("resource id", id); err != nil {
		return err
	}
	if max := a.MaxIDLen(); len(id) > max {
		local := len(a.Name) + 1 + len(id)
		if a.Signed() {
			local += 1 + sigLen
		}
		return &IDError{What: "resource id", ID: id, Len: local, Limit: MaxLocalPart, Err: ErrTooLong,
			Msg: fmt.Sprintf("the local part of %s would be %d octets, over the limit of %d (ids up to %d octets fit)",
				a.Name+"+…@"+a.Domain, local, MaxLocalPart, max)}
	}
	return nil
}

func checkName(s string) string {
	switch {
	case s == "":
		return "empty"
	case s[0] == '.' || s[len(s)-1] == '.':
		return "starts or ends with '.'"
	case strings.Contains(s, ".."):
		return "holds \"..\""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '+' {
			return "holds '+', which separates the resource id"
		}
		if !isIDByte(c) && c != '.' {
			return "character " + quoteByte(c) + " is not one of [A-Za-z0-9._-]"
		}
	}
	return ""
}

func checkDomain(s string) string {
	if s == "" {
		return "empty"
	}
	if len(s) > 253 {
		return "longer than 253 octets"
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return "empty label or label over 63 octets"
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "label starts or ends with '-'"
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return "character " + quoteByte(c) + " is not allowed in a host name"
			}
		}
	}
	return ""
}

// String returns the key id only, such as "identity.Key(k)": a secret never
// reaches a log through fmt.
func (k Key) String() string { return "identity.Key(" + k.ID + ")" }

// GoString is String, for %#v.
func (k Key) GoString() string { return k.String() }
