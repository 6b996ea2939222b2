package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
)

// macLen is the number of base32 characters of MAC in a signature: 60
// bits. A forger can only guess online, one sent message per guess, so 60
// bits is far beyond reach (SRS uses 20 bits, BATV 24); a longer MAC would
// eat the 64 octets that the resource id needs.
const macLen = 12

// sigLen is the length of a signature: key id plus MAC.
const sigLen = 1 + macLen

// sign returns the signature of resource under k: the key id followed by
// the first 60 bits of HMAC-SHA256 in lower-case base32.
//
// The MAC covers the application address and the resource id, both in
// lower case, so that a gateway upper-casing the address cannot break it
// and a token made for one application or resource fails for another. The
// price is that ids differing only in case share a signature.
func (k Key) sign(a App, resource string) string {
	m := hmac.New(sha256.New, k.Secret)
	m.Write([]byte("mailtrail-reply-v1\x00"))
	m.Write([]byte(strings.ToLower(a.Name + "@" + a.Domain)))
	m.Write([]byte{0})
	m.Write([]byte(strings.ToLower(resource)))
	sum := m.Sum(nil)
	return k.ID + b32.EncodeToString(sum[:8])[:macLen]
}

// signature returns the signature for resource, or "" when a is unsigned.
func (a App) signature(resource string) string {
	if !a.Signed() {
		return ""
	}
	return a.Keys[0].sign(a, resource)
}

// verify checks sig, in any case, against resource; it returns the key id
// that verified, or the reason it failed.
func (a App) verify(resource, sig string) (kid, reason string) {
	sig = strings.ToLower(sig)
	if len(sig) != sigLen {
		return "", "malformed signature"
	}
	for i := 0; i < len(sig); i++ {
		c := sig[i]
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') && !(i == 0 && '0' <= c && c <= '9') {
			return "", "malformed signature"
		}
	}
	for _, k := range a.Keys {
		if k.ID == sig[:1] {
			if hmac.Equal([]byte(k.sign(a, resource)), []byte(sig)) {
				return k.ID, ""
			}
			return "", "signature mismatch"
		}
	}
	return "", "unknown key id " + quoteShort(sig[:1])
}
