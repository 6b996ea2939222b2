package identity

import (
	"fmt"
	"strings"
)

// ReplyTo returns the reply address of resource: name+<resource>@domain,
// or name+<resource>.<signature>@domain when a is signed. The resource
// keeps its case. The error is an [*IDError] for an unusable id, or wraps
// [ErrInvalidApp].
func (a App) ReplyTo(resource string) (string, error) {
	local, err := a.local(resource)
	if err != nil {
		return "", err
	}
	return local + "@" + a.Domain, nil
}

// ParseReplyTo is the inverse of [App.ReplyTo]: it returns the resource
// named by a reply address of a, in [Canonical] form. The name, domain and
// signature match in any case. An address that is not one of a's reply
// addresses gives an error wrapping [ErrNotFound]; one whose signature
// does not verify, a [*TokenError].
func (a App) ParseReplyTo(addr string) (string, error) {
	id, err := a.parseSpec(addr, shapeAddr)
	if err != nil {
		return "", a.parseErr(err, "reply address", addr)
	}
	return id.resource, nil
}

// ThreadID returns the per-resource thread root, the reply address in angle
// brackets: <name+<resource>[.<signature>]@domain>. Every message about the
// resource carries it in References, so that mail clients thread them
// together and a reply that lost everything else still leads back.
func (a App) ThreadID(resource string) (string, error) {
	local, err := a.local(resource)
	if err != nil {
		return "", err
	}
	return "<" + local + "@" + a.Domain + ">", nil
}

// ParseThreadID is the inverse of [App.ThreadID]; see [App.ParseReplyTo]
// for case and errors.
func (a App) ParseThreadID(msgID string) (string, error) {
	spec, ok := strings.CutPrefix(msgID, "<")
	if ok {
		spec, ok = strings.CutSuffix(spec, ">")
	}
	if !ok {
		return "", fmt.Errorf("identity: thread id %s lacks angle brackets: %w", quoteShort(msgID), ErrNotFound)
	}
	id, err := a.parseSpec(spec, shapeAddr)
	if err != nil {
		return "", a.parseErr(err, "thread id", msgID)
	}
	return id.resource, nil
}

// local returns the local part for resource after checking a and resource.
func (a App) local(resource string) (string, error) {
	if err := a.Check(); err != nil {
		return "", err
	}
	if err := a.CheckID(resource); err != nil {
		return "", err
	}
	local := a.Name + "+" + resource
	if sig := a.signature(resource); sig != "" {
		local += "." + sig
	}
	return local, nil
}
