package inbound

import (
	"bytes"
	"net/mail"
	"regexp"
	"strings"

	"github.com/mailtrail/mailtrail/identity"
)

// Result is what [Trace] found: where the message points (the embedded
// [identity.Result]: resource, source, exactness, sender, …) and what
// kind of message it is.
type Result struct {
	identity.Result
	Kind Kind // reply, auto-reply or bounce, as [Classify] says
}

// Trace finds the resource m is about and classifies m. A bounce (a
// delivery status notification, RFC 3464: multipart/report holding
// message/rfc822 or text/rfc822-headers, or any message with
// message/delivery-status beside an enclosed original) is traced exactly
// through the headers of the original message we sent, with
// [identity.TraceBounce], and has Kind [Bounce]. Any other message is
// traced from its own headers with [identity.Trace], whose documentation
// gives the order of trust and the caveat on subject-only matches, and
// has the Kind that [Classify] gives it. A plain-text bounce (one that
// Classify calls a bounce, with the original's header copied into its
// text after a line such as qmail's "--- Below this line is a copy of the
// message.", or attached to a multipart/mixed) is traced through that
// header too.
//
// Errors are identity's: ErrNotFound when nothing of ours is found (the
// Result still says the kind and sender), a *identity.TokenError for a
// forged signed identifier; an unusable app gives a nil Result, as does
// a nil m (with ErrNotFound).
func Trace(m *Message, app identity.App) (*Result, error) {
	if m == nil {
		return nil, identity.ErrNotFound
	}
	if orig, ok := m.BouncedHeader(); ok {
		return bounceResult(identity.TraceBounce(m.Header, orig, app))
	}
	res, err := identity.Trace(m.Header, app)
	if res == nil {
		return nil, err
	}
	// BouncedHeader said no above: classify runs the remaining rules once.
	kind := m.classify()
	if kind == Bounce {
		// QUIRK: some MTAs bounce without RFC 3464, as multipart/mixed
		// with the original attached, or as plain text with it copied in.
		if orig, ok, _ := m.enclosedOriginal(); ok {
			return bounceResult(identity.TraceBounce(m.Header, orig, app))
		}
		if orig, ok := m.inlineOriginal(); ok {
			return bounceResult(identity.TraceBounce(m.Header, orig, app))
		}
	}
	return &Result{Result: *res, Kind: kind}, err
}

// bounceResult is what [identity.TraceBounce] returned, of Kind Bounce; a
// nil identity.Result (an unusable App) stays nil.
func bounceResult(r *identity.Result, err error) (*Result, error) {
	if r == nil {
		return nil, err
	}
	return &Result{Result: *r, Kind: Bounce}, err
}

// inlineMarkerRE matches the line after which a plain-text bounce (qmail,
// older Exim and Sendmail) copies the original message.
var inlineMarkerRE = regexp.MustCompile(`(?i)^[\s-]*(?:-+ *)?(?:(?:below this line is a copy of the message|this is a copy of the message|(?:original|unsent) message follows|the original message (?:headers? )?(?:was|were|follows?)|copy of the original message)\b|original message\s*-{2,})`)

// inlineOriginal finds the header of an original message copied as text
// into a plain-text bounce, after one of the usual marker lines.
func (m *Message) inlineOriginal() (mail.Header, bool) {
	var h mail.Header
	m.Content.Walk(func(p *Part) error {
		if nested(p.ContentType) {
			return SkipParts
		}
		if h != nil || len(p.Parts) > 0 || p.ContentType != "text/plain" {
			return nil
		}
		text, _ := p.Text()
		lines := strings.SplitAfter(text, "\n")
		for i, l := range lines {
			if !inlineMarkerRE.MatchString(l) {
				continue
			}
			rest := strings.TrimLeft(strings.Join(lines[i+1:], ""), " \t\n")
			if hb := readHeaderBlock([]byte(rest)); len(hb) > 0 {
				h = hb
			}
			break
		}
		return nil
	})
	return h, h != nil
}

// BouncedHeader returns the header of the original message embedded in a
// bounce, and whether m is a bounce that embeds one. A bounce is a
// multipart/report (RFC 6522) or a message holding message/delivery-status;
// the original is its first message/rfc822 (or message/global) part, or
// its text/rfc822-headers part (RFC 6522 section 4). A multipart/report of
// another report-type (a read receipt) is not a bounce.
func (m *Message) BouncedHeader() (mail.Header, bool) {
	if m == nil || m.Content == nil {
		return nil, false
	}
	root := m.Content
	isReport := root.ContentType == "multipart/report"
	if isReport {
		if rt := root.Params["report-type"]; rt != "" && rt != "delivery-status" && rt != "global-delivery-status" {
			return nil, false
		}
	}
	orig, found, status := m.enclosedOriginal()
	if !found || !(isReport || status) {
		return nil, false
	}
	return orig, true
}

// enclosedOriginal returns the header of the first enclosed message
// (message/rfc822, message/global) or text/rfc822-headers part of m, and
// whether m holds a delivery status (message/delivery-status).
func (m *Message) enclosedOriginal() (orig mail.Header, found, status bool) {
	m.Content.Walk(func(p *Part) error {
		switch p.ContentType {
		case "message/delivery-status", "message/global-delivery-status":
			status = true
		case "message/rfc822", "message/global":
			if !found && len(p.Parts) == 1 {
				orig, found = p.Parts[0].Header, true
			}
			return SkipParts // the original's own parts are not the report's
		case "text/rfc822-headers", "message/global-headers":
			if !found {
				orig, found = readHeaderBlock(p.Body), true
			}
		}
		return nil
	})
	return orig, found, status
}

// readHeaderBlock parses a bare header block, as in text/rfc822-headers.
func readHeaderBlock(b []byte) mail.Header {
	b = append(bytes.TrimLeft(b, "\r\n"), "\n\n"...)
	r := lineReader{buf: b}
	fr := fieldReader{max: DefaultMaxFields}
	for {
		line, ok := r.next()
		if !ok || !isHeaderLine(line) {
			break
		}
		fr.add(line)
	}
	pt := &Part{}
	pt.setHeader(&fr, "text/plain")
	return pt.Header
}
