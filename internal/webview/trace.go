package webview

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
)

// Traced is what [TraceMessage] found: the resource a message is about and
// where in the message it was found, or why nothing was.
type Traced struct {
	Resource string // empty when none was found
	Source   string // "address", "in-reply-to", "references" or "subject"
	Exact    bool
	App      identity.App // the application the message was traced for
	Err      error        // why nothing was found; nil when Resource is set
}

// TraceMessage parses raw with [inbound.Parse] and traces it with
// [inbound.Trace] for app. A nil app is guessed from the message itself:
// the plus address of its Reply-To ("app+id@domain" gives "app@domain"),
// else its From address, which suits a development sink that sees the
// application's own outgoing mail.
func TraceMessage(raw []byte, app *identity.App) Traced {
	m, err := inbound.Parse(bytes.NewReader(raw))
	if err != nil {
		return Traced{Err: err}
	}
	var a identity.App
	if app != nil {
		a = *app
	} else if a, err = guessApp(m.Header); err != nil {
		return Traced{Err: err}
	}
	res, err := inbound.Trace(m, a)
	if err != nil {
		return Traced{App: a, Err: err}
	}
	return Traced{Resource: res.Resource, Source: sourceName(res.Source), Exact: res.Exact, App: a}
}

// sourceName spells a trace source the way "mailtrail trace --json" does.
func sourceName(s identity.Source) string {
	return strings.ToLower(fmt.Sprint(s))
}

// guessApp finds the application address of an outgoing message.
func guessApp(h mail.Header) (identity.App, error) {
	for _, key := range []string{"Reply-To", "From"} {
		list, err := h.AddressList(key)
		if err != nil || len(list) == 0 {
			continue
		}
		local, domain, ok := strings.Cut(list[0].Address, "@")
		if !ok {
			continue
		}
		if name, _, plus := strings.Cut(local, "+"); plus || key == "From" {
			if app, err := identity.ParseApp(name + "@" + domain); err == nil {
				return app, nil
			}
		}
	}
	return identity.App{}, fmt.Errorf("webview: no application address in Reply-To or From")
}
