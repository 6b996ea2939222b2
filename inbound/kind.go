package inbound

import "fmt"

// Kind says what an incoming message is: a person's reply, an automatic
// reply or a bounce. [Classify] decides it.
type Kind int

// The kinds of incoming message.
const (
	Reply     Kind = iota // written by a person (the default)
	AutoReply             // automatic: out-of-office, vacation, read receipt, other auto-submitted mail
	Bounce                // a delivery failure (or a strong hint of one)
)

var kindNames = [...]string{Reply: "reply", AutoReply: "auto-reply", Bounce: "bounce"}

// String returns "reply", "auto-reply" or "bounce".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText returns the String form, for JSON.
func (k Kind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(kindNames) {
		return nil, fmt.Errorf("inbound: unknown kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText parses the String form.
func (k *Kind) UnmarshalText(b []byte) error {
	for i, n := range kindNames {
		if string(b) == n {
			*k = Kind(i)
			return nil
		}
	}
	return fmt.Errorf("inbound: unknown kind %q", b)
}
