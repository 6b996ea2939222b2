package identity

import (
	"errors"
	"fmt"
	"strings"
)

// shape says which of our identifier forms a parser accepts.
type shape int

const (
	shapeAddr  shape = iota // name+R[.S]: reply address and thread root
	shapeMsgID              // name+R[.S].T: Message-ID
	shapeAny                // either, liberally (Trace)
)

// ident is one identifier of ours, read back.
type ident struct {
	resource string // Canonical
	token    string // message token; "" in a reply address or thread root
	keyID    string // key that verified the signature; "" unsigned
	// unverified: the identifier carries a signature that an App without
	// keys did not check.
	unverified bool
}

// errNotOurs marks an identifier that is not of a's making.
var errNotOurs = errors.New("not ours")

// parseErr turns a parse failure into the error of a Parse function.
func (a App) parseErr(err error, what, value string) error {
	var te *TokenError
	if errors.As(err, &te) {
		te.Value = value
		return te
	}
	if err := a.Check(); err != nil {
		return err
	}
	return fmt.Errorf("identity: %s is not a %s of %s: %w", quoteShort(value), what, a, ErrNotFound)
}

// parseSpec reads an addr-spec or msg-id without angle brackets,
// name+…@domain. It returns errNotOurs when spec is not of a's making and
// a *TokenError when it is but its signature does not verify.
func (a App) parseSpec(spec string, sh shape) (ident, error) {
	count(len(spec))
	at := strings.LastIndexByte(spec, '@')
	if at < 0 || !equalFoldASCII(spec[at+1:], a.Domain) {
		return ident{}, errNotOurs
	}
	local := spec[:at]
	plus := strings.IndexByte(local, '+')
	if plus < 0 || !equalFoldASCII(local[:plus], a.Name) || a.Check() != nil {
		return ident{}, errNotOurs
	}
	return a.parsePlus(local[plus+1:], sh)
}

// parsePlus reads what follows "name+".
func (a App) parsePlus(s string, sh shape) (ident, error) {
	segs := strings.Split(s, ".")
	r := segs[0]
	// We never make an id longer than the budget: a longer one is not ours.
	okID := validID(r) && len(r) <= a.MaxIDLen()
	if !a.Signed() {
		if !okID {
			return ident{}, errNotOurs
		}
		id := ident{resource: Canonical(r)}
		switch {
		case sh == shapeAddr && len(segs) == 1:
		case sh == shapeMsgID && len(segs) == 2 && validToken(segs[1]):
			id.token = segs[1]
		case sh == shapeAny:
			// Liberal: the dotted tail of an identifier made while
			// signing was on is ignored, since nothing is verified; it
			// must still be made of our characters.
			for _, seg := range segs[1:] {
				if !validToken(seg) {
					return ident{}, errNotOurs
				}
			}
			switch {
			case len(segs) == 3:
				id.token, id.unverified = segs[2], true
			case len(segs) == 2 && looksSigned(segs[1]):
				id.unverified = true
			case len(segs) == 2:
				id.token = segs[1]
			}
		default:
			return ident{}, errNotOurs
		}
		return id, nil
	}
	bad := func(reason string) (ident, error) { return ident{}, &TokenError{Reason: reason} }
	if !okID {
		return bad("malformed resource id")
	}
	n := len(segs)
	switch {
	case n < 2:
		return bad("no signature")
	case sh == shapeAddr && n != 2, sh == shapeMsgID && n != 3, n > 3:
		return bad("unexpected form")
	case n == 3 && !validToken(segs[2]):
		return bad("malformed message token")
	}
	kid, reason := a.verify(r, segs[1])
	if reason != "" {
		return bad(reason)
	}
	id := ident{resource: Canonical(r), keyID: kid}
	if n == 3 {
		id.token = segs[2]
	}
	return id, nil
}

// looksSigned reports whether seg has the shape of a signature: a key id
// of [a-z0-9] and 12 characters of lower-case base32, in any case. A
// message token of the same shape is read as a signature too; [NewToken]
// makes 20 characters, so ours never is.
func looksSigned(seg string) bool {
	if len(seg) != sigLen {
		return false
	}
	seg = strings.ToLower(seg)
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') && !(i == 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func validToken(s string) bool { return len(s) <= maxToken && validID(s) }

// equalFoldASCII is strings.EqualFold for ASCII only: no Unicode folding
// (the Kelvin sign is not a 'k' in an address of ours).
func equalFoldASCII(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		a, b := s[i], t[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}
