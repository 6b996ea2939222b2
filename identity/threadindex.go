package identity

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"
)

// threadGUID returns the conversation GUID of resource for Outlook's
// Thread-Index: the first 16 octets of SHA-256 over the application
// address (lower case) and the resource id (as given), so that every
// message about one resource carries the same GUID and no other resource
// shares it. The version nibble is 8 (RFC 9562: custom) and the variant
// is RFC 4122's.
func (a App) threadGUID(resource string) [16]byte {
	sum := sha256.Sum256([]byte("mailtrail-thread-v1\x00" + strings.ToLower(a.Name+"@"+a.Domain) + "\x00" + resource))
	var g [16]byte
	copy(g[:], sum[:16])
	g[6] = g[6]&0x0f | 0x80
	g[8] = g[8]&0x3f | 0x80
	return g
}

// filetimeEpoch is 1601-01-01 UTC in 100-nanosecond intervals before the
// Unix epoch.
const filetimeEpoch = 116444736000000000

// ThreadIndex returns the value of Outlook's Thread-Index header field for
// a message sent at t: the 22-octet conversation index header of
// [MS-OXOMSG] section 2.2.1.3 (PidTagConversationIndex) in base64. Its
// octets are 0x01 (reserved), the 40 high-order bits of t as a FILETIME
// (100-nanosecond intervals since 1601-01-01 UTC), big-endian, and the
// resource's conversation GUID. Every message about one resource is a
// conversation root with the same GUID, so that Outlook, which groups by
// that GUID, shows them as one conversation; a reply's client appends its
// own 5-octet response levels.
func (s *Stamp) ThreadIndex(t time.Time) string {
	var b [22]byte
	b[0] = 0x01
	ft := uint64(t.UTC().UnixNano()/100) + filetimeEpoch
	var t8 [8]byte
	binary.BigEndian.PutUint64(t8[:], ft)
	copy(b[1:6], t8[:5])
	copy(b[6:], s.threadGUID[:])
	return base64.StdEncoding.EncodeToString(b[:])
}
