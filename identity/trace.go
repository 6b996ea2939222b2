package identity

import (
	"errors"
	"net/mail"
	"net/textproto"
	"slices"
	"sort"
	"strings"
)

// Result is what [Trace] found.
type Result struct {
	// Resource is the resource id in [Canonical] form; for a subject
	// match (Exact false) it is only the tag, a prefix of the id.
	Resource string
	Source   Source // where it was found
	// Exact is true when Resource is a whole id read from one of our
	// identifiers, false for a subject tag.
	Exact bool
	// Sender is the From address, so that a caller can check that a
	// subject-only match comes from someone entitled to the resource.
	Sender string
	Header string // the header field it was found in, e.g. "Delivered-To"
	Value  string // the identifier as found: an address, a <msg-id>, or the subject tag
	KeyID  string // the key that verified the signature; "" when unsigned or from the subject
	// Unverified is true when the identifier carries a signature that was
	// not checked because the App has no keys: the match is as weak as an
	// unsigned one, and anyone who knows the id could have written it.
	Unverified bool
}

// Trace finds the resource that an incoming message is about, from its
// header fields. h holds the raw values, as [mail.ReadMessage] gives them
// (RFC 2047 encoded words are decoded here). Only identifiers of app's
// name at app's domain count; the domain and name match in any case.
//
// Trace looks, in this order of trust:
//
//  1. our plus address in To, Cc, Delivered-To, X-Original-To, Envelope-To,
//     X-Envelope-To, in that order (display names, comments, quoting and
//     upper case tolerated);
//  2. our Message-ID or thread root in In-Reply-To;
//  3. our Message-ID or thread root in References, newest (last) first;
//  4. the subject tag, through reply and forward prefixes, gateway markers
//     and encoded words ([SubjectTag]).
//
// The first identifier of ours decides: when its signature does not verify
// (signed App), Trace returns a [*TokenError] wrapping [ErrBadToken] and
// does not look further, so a forged identifier never leads to a match.
//
// A subject tag is a prefix of the id that anyone can type: the Result
// then has Exact false, Resource set to the tag and Sender set to the From
// address. Check that the sender is entitled to a resource with that prefix
// before trusting such a match.
//
// With no identifier of ours, the error is [ErrNotFound]. On ErrNotFound and
// ErrBadToken the Result is still returned, with Sender set and no
// Resource. An unusable app gives an error wrapping [ErrInvalidApp] and a
// nil Result. Trace does not say whether the message is a reply, an
// automatic reply or a bounce: package inbound's Trace and Classify do,
// from the whole message.
func Trace(h mail.Header, app App) (*Result, error) {
	if err := app.Check(); err != nil {
		return nil, err
	}
	r := &Result{Sender: Sender(h)}
	return r, app.trace(r, h, true)
}

// TraceBounce finds the resource of a bounced message. report holds the
// bounce's own header fields; original those of the message we sent, as
// embedded in the report (message/rfc822 or text/rfc822-headers, RFC
// 3462). It looks in the original at Reply-To (source address), Message-ID,
// References (newest first) and the subject tag, then, when the original
// holds none of ours, in report as [Trace] does. The Result has Sender
// from the report's From. Errors are as for Trace.
func TraceBounce(report, original mail.Header, app App) (*Result, error) {
	if err := app.Check(); err != nil {
		return nil, err
	}
	r := &Result{Sender: Sender(report)}
	steps := []step{
		{original, "Reply-To", SourceAddress, false, false},
		{original, "Message-Id", SourceMessageID, true, false},
		{original, "References", SourceReferences, true, true},
		{original, "In-Reply-To", SourceInReplyTo, true, false},
	}
	if err := app.scan(r, steps); !errors.Is(err, ErrNotFound) {
		return r, err
	}
	if app.subject(r, original) {
		return r, nil
	}
	return r, app.trace(r, report, true)
}

// step is one header field to look at.
type step struct {
	h       mail.Header
	name    string
	src     Source
	msgIDs  bool // msg-ids rather than addresses
	reverse bool // newest (last) first
}

var addressHeaders = []string{"To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To"}

// trace runs the exact steps of Trace on h, then the subject.
func (a App) trace(r *Result, h mail.Header, subject bool) error {
	steps := make([]step, 0, len(addressHeaders)+2)
	for _, name := range addressHeaders {
		steps = append(steps, step{h, name, SourceAddress, false, false})
	}
	steps = append(steps,
		step{h, "In-Reply-To", SourceInReplyTo, true, false},
		step{h, "References", SourceReferences, true, true})
	if err := a.scan(r, steps); !errors.Is(err, ErrNotFound) {
		return err
	}
	if subject && a.subject(r, h) {
		return nil
	}
	return ErrNotFound
}

// scan looks for the first identifier of ours along steps.
func (a App) scan(r *Result, steps []step) error {
	for _, st := range steps {
		for _, v := range values(st.h, st.name) {
			var specs []string
			if st.msgIDs {
				specs = msgIDs(v)
			} else {
				specs = addresses(v)
			}
			if st.reverse {
				slices.Reverse(specs)
			}
			for _, spec := range specs {
				id, err := a.parseSpec(strings.Trim(spec, "<>"), shapeAny)
				if err == errNotOurs {
					continue
				}
				var te *TokenError
				if errors.As(err, &te) {
					te.Source, te.Header, te.Value = st.src, st.name, spec
					return te
				}
				r.Resource, r.Source, r.Exact = id.resource, st.src, true
				r.Header, r.Value, r.KeyID, r.Unverified = st.name, spec, id.keyID, id.unverified
				if !st.msgIDs {
					a.preferExactCase(r, st.h)
				}
				return nil
			}
		}
	}
	return ErrNotFound
}

// preferExactCase resolves a case-only mismatch between the resource read
// from an address and one in In-Reply-To or References of h toward the
// latter: gateways rewrite addresses (some lower-case them, fleet+wo-42@),
// while clients copy message ids back exactly (WO-42). Ids keep their
// case; only the case of r.Resource changes, and its source with it.
func (a App) preferExactCase(r *Result, h mail.Header) {
	for _, name := range []string{"In-Reply-To", "References"} {
		for _, v := range values(h, name) {
			for _, spec := range msgIDs(v) {
				id, err := a.parseSpec(strings.Trim(spec, "<>"), shapeAny)
				if err != nil || id.resource == r.Resource || !strings.EqualFold(id.resource, r.Resource) {
					continue
				}
				r.Resource, r.Header, r.Value = id.resource, name, spec
				r.Source = SourceInReplyTo
				if name == "References" {
					r.Source = SourceReferences
				}
				return
			}
		}
	}
}

// subject records the subject tag of h, if any.
func (a App) subject(r *Result, h mail.Header) bool {
	for _, v := range values(h, "Subject") {
		if tag, ok := SubjectTag(v); ok {
			r.Resource, r.Source, r.Exact = tag, SourceSubject, false
			r.Header, r.Value, r.KeyID = "Subject", "["+tag+"]", ""
			return true
		}
	}
	return false
}

// values returns every value of the named field, in any letter case of
// the name: the canonical key first, then others in sorted order.
func values(h mail.Header, name string) []string {
	var keys []string
	for k := range h {
		if strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		ci, cj := keys[i] == canonical(name), keys[j] == canonical(name)
		if ci != cj {
			return ci
		}
		return keys[i] < keys[j]
	})
	var vs []string
	for _, k := range keys {
		vs = append(vs, h[k]...)
	}
	return vs
}

func canonical(name string) string { return textproto.CanonicalMIMEHeaderKey(name) }

func get(h mail.Header, name string) string {
	if vs := values(h, name); len(vs) > 0 {
		return vs[0]
	}
	return ""
}
