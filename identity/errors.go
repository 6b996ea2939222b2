package identity

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of them, so
// callers branch with [errors.Is]; the types [*IDError] and [*TokenError]
// carry the details and are reached with [errors.As].
var (
	// ErrInvalidID means a resource id or message token holds a character
	// outside [A-Za-z0-9_-] or is empty.
	ErrInvalidID = errors.New("identity: invalid id")

	// ErrTooLong means a resource id would push the local part of the
	// reply address past the 64 octets of RFC 5321 section 4.5.3.1.1.
	ErrTooLong = errors.New("identity: id too long")

	// ErrInvalidApp means an application address or its keys are unusable.
	ErrInvalidApp = errors.New("identity: invalid application address")

	// ErrBadToken means one of our identifiers carried a signature that
	// does not verify: tampered, made with an unknown key, or made for
	// another resource. It is never a match.
	ErrBadToken = errors.New("identity: bad token")

	// ErrNotFound means no identifier of ours was found.
	ErrNotFound = errors.New("identity: no resource found")
)

// IDError describes a resource id or message token that cannot be used.
// It wraps [ErrInvalidID] or [ErrTooLong].
type IDError struct {
	What  string // "resource id" or "message token"
	ID    string // the offending value
	Len   int    // octets of the value, or of the local part when Err is ErrTooLong
	Limit int    // the limit that was exceeded; 0 when Err is ErrInvalidID
	Msg   string // what is wrong, in a few words
	Err   error  // ErrInvalidID or ErrTooLong
}

func (e *IDError) Error() string {
	return fmt.Sprintf("identity: %s %s: %s", e.What, quoteShort(e.ID), e.Msg)
}

// Unwrap returns [ErrInvalidID] or [ErrTooLong].
func (e *IDError) Unwrap() error { return e.Err }

// TokenError reports an identifier of ours whose signature does not verify.
// It wraps [ErrBadToken].
type TokenError struct {
	Source Source // where the identifier was found; 0 when parsed directly
	Header string // the header field, e.g. "To"; "" when parsed directly
	Value  string // the identifier as found
	Reason string // "signature mismatch", "unknown key id \"x\"", …
}

func (e *TokenError) Error() string {
	if e.Header == "" {
		return fmt.Sprintf("identity: bad token in %s: %s", quoteShort(e.Value), e.Reason)
	}
	return fmt.Sprintf("identity: bad token in %s %s: %s", e.Header, quoteShort(e.Value), e.Reason)
}

// Unwrap returns [ErrBadToken].
func (e *TokenError) Unwrap() error { return ErrBadToken }

// quoteShort quotes s for an error message, cut to a readable length: the
// value may be hostile and long.
func quoteShort(s string) string {
	const max = 80
	if len(s) > max {
		return fmt.Sprintf("%q…", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
