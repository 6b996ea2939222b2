package replytest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
)

// threadIndex is Outlook's conversation index for a reply ([MS-OXOMSG]
// 2.2.1.3): the original's index with one 5-octet child block more, or,
// when the original has none, a header block (the reserved octet 1, five
// octets of FILETIME, a GUID derived from the thread root) and one child.
func (b *builder) threadIndex() string {
	idx := b.o.threadIndex
	if len(idx) < 22 || (len(idx)-22)%5 != 0 {
		root := b.o.msgID
		if len(b.o.refs) > 0 {
			root = b.o.refs[0]
		}
		guid := sha256.Sum256([]byte(root))
		ft := uint64(b.o.date.UnixNano()/100) + 116444736000000000 // FILETIME: 100 ns since 1601
		var t [8]byte
		binary.BigEndian.PutUint64(t[:], ft)
		idx = append(append([]byte{1}, t[:5]...), guid[:16]...)
	}
	child, _ := hex.DecodeString(b.tok[:10])
	return base64.StdEncoding.EncodeToString(append(append([]byte(nil), idx...), child...))
}
