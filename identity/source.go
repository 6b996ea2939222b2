package identity

import "fmt"

// Source says where Trace found the resource.
type Source int

// The sources, from the most trusted. The zero Source means none.
const (
	SourceAddress    Source = iota + 1 // our plus address in To, Cc, Delivered-To, X-Original-To, … (or Reply-To of a bounced original)
	SourceInReplyTo                    // our Message-ID or thread root in In-Reply-To
	SourceReferences                   // our Message-ID or thread root in References
	SourceMessageID                    // our Message-ID of a bounced original (TraceBounce only)
	SourceSubject                      // the subject tag: a prefix of the id, not exact
)

var sourceNames = [...]string{
	0:                "none",
	SourceAddress:    "address",
	SourceInReplyTo:  "in-reply-to",
	SourceReferences: "references",
	SourceMessageID:  "message-id",
	SourceSubject:    "subject",
}

// String returns "address", "in-reply-to", "references", "message-id",
// "subject", or "none" for the zero Source.
func (s Source) String() string {
	if s >= 0 && int(s) < len(sourceNames) {
		return sourceNames[s]
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// MarshalText returns the String form, for JSON.
func (s Source) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(sourceNames) {
		return nil, fmt.Errorf("identity: unknown source %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText parses the String form.
func (s *Source) UnmarshalText(b []byte) error {
	for i, n := range sourceNames {
		if string(b) == n {
			*s = Source(i)
			return nil
		}
	}
	return fmt.Errorf("identity: unknown source %q", b)
}
