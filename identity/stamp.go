package identity

// Stamp holds the identity headers of one outgoing message. Its values are
// made of checked characters only: they are safe in a header as they are.
type Stamp struct {
	Resource   string // the resource id, as given
	ReplyTo    string // bare address: name+<resource>[.<signature>]@domain
	MessageID  string // <name+<resource>[.<signature>].<token>@domain>
	References string // the thread root <name+<resource>[.<signature>]@domain>
	Tag        string // subject tag with brackets, e.g. "[a74e22bb]" or "[INV-2026-0117]"
	Token      string // the per-message token inside MessageID
	Signature  string // key id and MAC; "" when the App is unsigned
	// ThreadTopic is the value of Outlook's Thread-Topic field: the
	// resource id, the same for every message about the resource. See
	// [Stamp.ThreadIndex] for Thread-Index.
	ThreadTopic string

	threadGUID [16]byte
}

// Stamp makes the identity headers of one message about resource. token is
// the per-message unique part of the Message-ID, of [A-Za-z0-9_-] and at
// most 64 octets; "" means a fresh one from [NewToken]. Pass the same token
// again when retrying a send, so that the message keeps its Message-ID.
//
// It fails, before anything is sent, on an unusable App (wrapping
// [ErrInvalidApp]), and on an invalid or too long resource id or token (an
// [*IDError] wrapping [ErrInvalidID] or [ErrTooLong]).
func (a App) Stamp(resource, token string) (*Stamp, error) {
	if token == "" {
		token = NewToken()
	}
	msgID, err := a.MessageID(resource, token)
	if err != nil {
		return nil, err
	}
	local, _ := a.local(resource) // checked by MessageID
	return &Stamp{
		Resource:    resource,
		ReplyTo:     local + "@" + a.Domain,
		MessageID:   msgID,
		References:  "<" + local + "@" + a.Domain + ">",
		Tag:         Tag(resource),
		Token:       token,
		Signature:   a.signature(resource),
		ThreadTopic: resource,
		threadGUID:  a.threadGUID(resource),
	}, nil
}

// TagLen is the number of leading characters of a long opaque resource id
// (a UUID, or any id longer than [MaxTagLen]) in its subject tag.
const TagLen = 8

// MaxTagLen is the longest resource id that goes into its subject tag
// whole: readable ids such as invoice numbers ("INV-2026-0117") are
// written out, so that a subject-only reply still names the resource and
// not a prefix that all of a year's invoices share.
const MaxTagLen = 24

// Tag returns the subject tag of a resource id in square brackets: the
// whole id when it is at most [MaxTagLen] characters and not a UUID
// ("[INV-2026-0117]"), else its first [TagLen] characters ("[a74e22bb]").
func Tag(resource string) string {
	if isUUID(resource) || len(resource) > MaxTagLen {
		resource = resource[:TagLen]
	}
	return "[" + resource + "]"
}

// Subject returns subject with the tag in front, "[a74e22bb] subject",
// unless it already carries the tag anywhere (in any case), as a re-sent
// message or a "Re: [INV-2026-0117] …" does, or carries a tag made before
// whole ids went into tags (the [TagLen]-character short form of this
// resource). An empty subject becomes the tag alone.
//
// subject is kept as given: the writer of the header refuses CR, LF and
// NUL (package mailer does), rather than Subject repairing them silently.
func (s *Stamp) Subject(subject string) string {
	switch {
	case s.Tag == "":
		return subject
	case subject == "":
		return s.Tag
	case containsFold(subject, s.Tag):
		return subject
	case len(s.Resource) > TagLen && containsFold(subject, "["+s.Resource[:TagLen]+"]"):
		return subject
	}
	return s.Tag + " " + subject
}

// containsFold reports whether s contains the ASCII string sub, ignoring
// ASCII case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
