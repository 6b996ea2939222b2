package identity

import (
	"crypto/rand"
	"encoding/base32"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// MaxLocalPart is the longest local part of an e-mail address, in octets
// (RFC 5321 section 4.5.3.1.1).
const MaxLocalPart = 64

// maxToken bounds a message token: it lives only in the Message-ID, which
// has no 64-octet limit, but it should stay a token, not a payload.
const maxToken = 64

// New returns a new random resource id: a version 4 UUID in lower case,
// such as "a74e22bb-3313-4dc4-af28-6c2bd1351c0f".
func New() string { return uuid.NewString() }

// NewToken returns a fresh random message token: 96 random bits in
// lower-case base32, 20 characters. [App.Stamp] uses it when given no token.
func NewToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return b32.EncodeToString(b[:])
}

// b32 is RFC 4648 base32 in lower case without padding: case-folding mail
// gateways cannot change its meaning, since decoding lower-cases first.
var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// CheckID reports whether id is a usable resource id on its own: one or
// more characters of [A-Za-z0-9_-] and at most [MaxLocalPart] octets. Use
// [App.CheckID] to check it against an application's length budget too.
// The error is an [*IDError] wrapping [ErrInvalidID] or [ErrTooLong].
func CheckID(id string) error {
	if err := checkToken("resource id", id); err != nil {
		return err
	}
	if len(id) > MaxLocalPart {
		return &IDError{What: "resource id", ID: id, Len: len(id), Limit: MaxLocalPart, Err: ErrTooLong,
			Msg: "longer than the 64 octets of an address local part"}
	}
	return nil
}

// checkToken checks the shared syntax of resource ids and message tokens.
func checkToken(what, s string) error {
	if s == "" {
		return &IDError{What: what, ID: s, Err: ErrInvalidID, Msg: "empty"}
	}
	for i := 0; i < len(s); i++ {
		if !isIDByte(s[i]) {
			return &IDError{What: what, ID: s, Len: len(s), Err: ErrInvalidID,
				Msg: "character " + quoteByte(s[i]) + " at offset " + strconv.Itoa(i) + " is not one of [A-Za-z0-9_-]"}
		}
	}
	return nil
}

func isIDByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

func validID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIDByte(s[i]) {
			return false
		}
	}
	return true
}

// Canonical returns the form in which Trace and the Parse functions give
// back id: a UUID (8-4-4-4-12 hexadecimal digits, in any case) in lower
// case, any other id unchanged. Gateways that upper-case addresses thus
// cannot change a UUID; other ids come back as they were found, so an
// application with mixed-case ids should look them up case-insensitively.
func Canonical(id string) string {
	if isUUID(id) {
		return strings.ToLower(id)
	}
	return id
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func quoteByte(c byte) string {
	const hex = "0123456789ABCDEF"
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	return "0x" + string(hex[c>>4]) + string(hex[c&15])
}
