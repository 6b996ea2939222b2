package identity

import (
	"fmt"
	"strings"
)

// MessageID returns a Message-ID for one message about resource:
// <name+<resource>[.<signature>].<token>@domain>. The token makes it
// unique; use [NewToken] for a random one. The resource keeps its case.
//
// Mail providers may replace the Message-ID (Amazon SES does), so never rely
// on it alone: the thread root of [App.ThreadID] in References is what
// survives.
func (a App) MessageID(resource, token string) (string, error) {
	local, err := a.local(resource)
	if err != nil {
		return "", err
	}
	if err := checkMessageToken(token); err != nil {
		return "", err
	}
	return "<" + local + "." + token + "@" + a.Domain + ">", nil
}

// ParseMessageID is the inverse of [App.MessageID]: it returns the
// resource, in [Canonical] form, and the token. Case and errors are as for
// [App.ParseReplyTo].
func (a App) ParseMessageID(msgID string) (resource, token string, err error) {
	spec, ok := strings.CutPrefix(msgID, "<")
	if ok {
		spec, ok = strings.CutSuffix(spec, ">")
	}
	if !ok {
		return "", "", fmt.Errorf("identity: message id %s lacks angle brackets: %w", quoteShort(msgID), ErrNotFound)
	}
	id, err := a.parseSpec(spec, shapeMsgID)
	if err != nil {
		return "", "", a.parseErr(err, "message id", msgID)
	}
	return id.resource, id.token, nil
}

func checkMessageToken(token string) error {
	if err := checkToken("message token", token); err != nil {
		return err
	}
	if len(token) > maxToken {
		return &IDError{What: "message token", ID: token, Len: len(token), Limit: maxToken, Err: ErrTooLong,
			Msg: fmt.Sprintf("%d octets, over the limit of %d", len(token), maxToken)}
	}
	return nil
}
