package mailer

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// checkWire enforces the wire rules on a whole message, whatever built it:
// every line ends in CRLF (no bare CR or LF), no NUL octet, no line longer
// than 998 octets (RFC 5322 §2.1.1), and 7-bit only, so that no relay
// needs 8BITMIME and nothing is re-encoded on the way.
func checkWire(data []byte) error {
	line, start := 1, 0
	for i := 0; i < len(data); i++ {
		// Eight octets at a time while none is CR, LF, NUL or 8-bit.
		for i+8 <= len(data) && plainWord(binary.LittleEndian.Uint64(data[i:])) {
			i += 8
		}
		if i >= len(data) {
			break
		}
		switch c := data[i]; {
		case c == '\r':
			if i+1 >= len(data) || data[i+1] != '\n' {
				return fmt.Errorf("wire: bare CR at line %d", line)
			}
			if i-start > maxLine {
				return fmt.Errorf("wire: line %d is %d octets, more than %d", line, i-start, maxLine)
			}
			i++
			line++
			start = i + 1
		case c == '\n':
			return fmt.Errorf("wire: bare LF at line %d", line)
		case c == 0:
			return fmt.Errorf("wire: NUL octet at line %d", line)
		case c >= 0x80:
			return fmt.Errorf("wire: 8-bit octet 0x%02x at line %d", c, line)
		}
	}
	if start != len(data) {
		return fmt.Errorf("wire: the message does not end with CRLF")
	}
	return nil
}

// plainWord reports whether none of the eight octets of w is CR, LF, NUL
// or 8-bit (a false "no" only sends checkWire to its octet loop).
func plainWord(w uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	hasZero := func(x uint64) bool { return (x-lo)&^x&hi != 0 }
	return w&hi == 0 && !hasZero(w) && !hasZero(w^(lo*'\r')) && !hasZero(w^(lo*'\n'))
}

// randomBoundary returns "=_" and 32 random hex digits. "=_" never occurs
// in quoted-printable ('=' is followed by hex digits or a line end) nor in
// base64, so the boundary cannot collide with any encoded part.
func randomBoundary(int) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return "=_" + hex.EncodeToString(b[:])
}
