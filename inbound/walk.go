package inbound

import "strings"

// BodyPart returns the part that is best read as the body of the message: the
// first of types (media types such as "text/plain", "text/html",
// "application/json" or "multipart/related") that a candidate part has,
// earlier types preferred. With no types it prefers text/plain, then
// text/html. It follows Python's EmailMessage.get_body: parts marked as
// attachments are never candidates, only the root of a multipart/related
// (its start part, else its first) is looked into, and enclosed messages
// (forwarded mail) are not looked into. Nil when nothing matches.
func (m *Message) BodyPart(types ...string) *Part {
	if m == nil || m.Content == nil {
		return nil
	}
	return m.Content.BodyPart(types...)
}

// BodyPart is [Message.BodyPart] for the tree below p.
func (p *Part) BodyPart(types ...string) *Part {
	if len(types) == 0 {
		types = []string{"text/plain", "text/html"}
	}
	for i := range types {
		types[i] = strings.ToLower(types[i])
	}
	best, bestRank := (*Part)(nil), len(types)
	p.findBody(types, func(rank int, c *Part) bool {
		if rank < bestRank {
			best, bestRank = c, rank
		}
		return rank == 0
	})
	return best
}

func rankOf(types []string, t string) int {
	for i, x := range types {
		if x == t {
			return i
		}
	}
	return -1
}

// findBody calls yield for each candidate with its rank; yield returns
// true to stop.
func (p *Part) findBody(types []string, yield func(int, *Part) bool) bool {
	if p.IsAttachment() {
		return false
	}
	if p.MainType() != "multipart" || len(p.Parts) == 0 {
		if nested(p.ContentType) {
			return false
		}
		if r := rankOf(types, p.ContentType); r >= 0 {
			return yield(r, p)
		}
		return false
	}
	if p.ContentType != "multipart/related" {
		for _, c := range p.Parts {
			if c.findBody(types, yield) {
				return true
			}
		}
		return false
	}
	if r := rankOf(types, p.ContentType); r >= 0 && yield(r, p) {
		return true
	}
	root := p.Parts[0]
	if start := strings.Trim(p.Params["start"], "<> "); start != "" {
		for _, c := range p.Parts {
			if strings.Trim(c.Header.Get("Content-Id"), "<> ") == start {
				root = c
				break
			}
		}
	}
	return root.findBody(types, yield)
}

// Attachment is a part that is not a body: a file or an enclosed message.
type Attachment struct {
	Filename    string // RFC 2231/2047-decoded; may be empty
	ContentType string // lower-cased media type
	Size        int    // len(Data)
	Data        []byte // transfer-decoded content (an enclosed message as written)
	Part        *Part  // the part itself
}

// Attachments lists the parts that are not a body, in order: every leaf
// marked attachment or carrying a file name, and every other leaf except
// text/plain and text/html, plus each enclosed message (message/rfc822),
// whose own parts are not listed. A signature of multipart/signed
// (RFC 1847) counts too.
func (m *Message) Attachments() []Attachment {
	var out []Attachment
	m.Walk(func(p *Part) error {
		if p == m.Content {
			if len(p.Parts) == 0 && !p.IsAttachment() && p.Filename == "" {
				return nil // a single-part message is its own body
			}
		}
		switch {
		case nested(p.ContentType):
		case len(p.Parts) > 0 || p.MainType() == "multipart":
			return nil
		case p.IsAttachment() || p.Filename != "":
		case p.ContentType == "text/plain" || p.ContentType == "text/html":
			return nil
		}
		out = append(out, Attachment{Filename: p.Filename, ContentType: p.ContentType, Size: len(p.Body), Data: p.Body, Part: p})
		if nested(p.ContentType) {
			return SkipParts
		}
		return nil
	})
	return out
}
