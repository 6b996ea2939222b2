package mailer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
)

// ErrInvalidMessage is wrapped by every refusal of a message's content
// before anything is sent or written: an invalid or empty address, CR, LF
// or NUL in a header value, a bad resource id, an unknown template, a
// template error, an unreadable attachment, a header not on the
// allow-list. Sending the same message again cannot succeed.
var ErrInvalidMessage = errors.New("mailer: invalid message")

// JSONPlacement says where the application/json part goes.
type JSONPlacement int

const (
	// JSONAlternative puts the JSON first in the multipart/alternative,
	// before text/plain and text/html (clients show the last one they
	// can). The default.
	JSONAlternative JSONPlacement = iota
	// JSONAttachment puts the JSON beside the alternative, as an attachment
	// named data.json in a multipart/mixed: for partners whose client shows
	// an alternative JSON part as a stray attachment anyway (Gmail does).
	JSONAttachment
)

// String returns "alternative" or "attachment".
func (p JSONPlacement) String() string {
	switch p {
	case JSONAlternative:
		return "alternative"
	case JSONAttachment:
		return "attachment"
	}
	return fmt.Sprintf("JSONPlacement(%d)", int(p))
}

// Mailer renders messages and sends them over SMTP or into the local
// outbox. It is safe for concurrent use. Messages sent over SMTP share the
// transport's connections (one unless SMTPConfig.MaxConns says more).
// Close it when done.
type Mailer struct {
	r      *Renderer
	hooks  Hooks
	log    *slog.Logger
	dlv    Transport // where Send hands messages: a Transport, or the Outbox
	queued bool      // dlv is the Outbox
	closed atomic.Bool
}

// New checks cfg and returns a Mailer. It fails as [NewRenderer] does, on
// an invalid SMTP configuration or URL, and with [ErrNoTransport] when cfg
// says nowhere for messages to go (no Outbox and no transport; see
// [TransportConfig]). It makes no connection: the first Send does.
func New(cfg Config) (*Mailer, error) {
	r, err := NewRenderer(cfg)
	if err != nil {
		return nil, err
	}
	m := &Mailer{r: r, hooks: cfg.Hooks, log: logger(cfg.Logger)}
	if cfg.Outbox != nil {
		m.dlv, m.queued = outboxTransport{cfg.Outbox}, true
	} else if m.dlv, err = cfg.Transport.open(m.log, r.now); errors.Is(err, ErrNoTransport) {
		return nil, err
	} else if err != nil {
		return nil, fmt.Errorf("mailer: config: %w", err)
	}
	return m, nil
}

// logger returns l, or slog.Default() when l is nil.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}

// Receipt says what Send did with a message.
type Receipt struct {
	// Resource is the resource id the message carries: Message.Resource,
	// or the new id made for it.
	Resource string
	// MessageID is the Message-ID field, with angle brackets. Store it
	// against the resource; note that some providers (Amazon SES) replace
	// it, while References, the resource's thread root, survives.
	MessageID string
	// Recipients are the envelope recipients the message went to, after
	// any BeforeSend hook.
	Recipients []string
	// Path is the file a FileTransport wrote; "" otherwise.
	Path string
	// OutboxID is the message's id in Config.Outbox when Send enqueued
	// it; "" when it was transmitted.
	OutboxID string
}

// Send renders msg (exactly as [Mailer.Render] does), runs the BeforeSend
// hook, delivers the message over SMTP or into the local outbox, and runs
// the AfterSend hook. It returns once the server accepted the message with
// 250 after DATA, or the file is safely on disk.
//
// Errors: about msg itself, [ErrInvalidMessage]; from the BeforeSend hook,
// wrapped as returned (see [ErrVetoed]); from SMTP, a [*SendError] (match
// its class with errors.Is: [ErrTransient], [ErrPermanent],
// [ErrUnknownOutcome]). Whenever the message was rendered, the Receipt
// comes back with the error too: its Resource and MessageID are those of
// the message that failed, and its Recipients those that got it anyway in
// a partial delivery (see [SendError]). To retry with the same
// Message-ID, Render once and [Mailer.Deliver] the Envelope again.
func (m *Mailer) Send(ctx context.Context, msg *Message) (*Receipt, error) {
	env, err := m.Render(ctx, msg)
	if err != nil {
		return nil, err
	}
	return m.deliver(ctx, env, true)
}

// Deliver delivers a message rendered by [Mailer.Render], as Send does
// after rendering: BeforeSend hook, delivery, AfterSend hook. It is how a
// message is retried with the same bytes and so the same Message-ID
// (RFC 5321 §4.5.4.1 lets receivers drop the duplicate if the first attempt
// did arrive), and how rendering and sending can run apart (render now,
// store the Envelope, deliver later). env may be changed by the hook.
func (m *Mailer) Deliver(ctx context.Context, env *Envelope) (*Receipt, error) {
	if env == nil {
		return nil, fmt.Errorf("%w: nil envelope", ErrInvalidMessage)
	}
	return m.deliver(ctx, env, false)
}

// deliver runs the hooks around one delivery. rendered says env comes
// straight from Render, already checked.
func (m *Mailer) deliver(ctx context.Context, env *Envelope, rendered bool) (*Receipt, error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	if !rendered {
		if err := checkEnvelope(env); err != nil {
			return nil, err
		}
	}
	if m.hooks.BeforeSend != nil {
		rc := &Receipt{Resource: env.Resource, MessageID: env.MessageID}
		if err := m.hooks.BeforeSend(ctx, env); err != nil {
			return rc, fmt.Errorf("mailer: before-send hook: %w", err)
		}
		if err := checkEnvelope(env); err != nil {
			return rc, fmt.Errorf("mailer: before-send hook: %w", err)
		}
	}
	where, err := m.dlv.Transmit(ctx, env)
	if m.hooks.AfterSend != nil {
		m.hooks.AfterSend(ctx, env, err)
	}
	rc := &Receipt{Resource: env.Resource, MessageID: env.MessageID, Path: where}
	if m.queued {
		rc.Path, rc.OutboxID = "", where
	}
	if err != nil {
		// A partial delivery: the message went to the accepted recipients.
		if se, ok := errors.AsType[*SendError](err); ok {
			rc.Recipients = append([]string(nil), se.Accepted...)
		}
		return rc, err
	}
	rc.Recipients = append([]string(nil), env.To...)
	return rc, nil
}

// checkEnvelope checks an envelope a hook may have changed.
func checkEnvelope(env *Envelope) error {
	if len(env.To) == 0 {
		return fmt.Errorf("%w: no recipient left on the envelope", ErrInvalidMessage)
	}
	for i, a := range append([]string{env.From}, env.To...) {
		what := "envelope recipient"
		if i == 0 {
			what = "envelope sender"
		}
		if err := checkHeaderText(what, a); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidMessage, err)
		}
		if err := checkAddrSpec(a); err != nil {
			return fmt.Errorf("%w: %s %q: %w", ErrInvalidMessage, what, a, err)
		}
	}
	if err := checkWire(env.Data); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	return nil
}

// ErrClosed is returned by Send after Close.
var ErrClosed = errors.New("mailer: closed")

// Close says QUIT on the Mailer's SMTP connections and releases them.
// Messages already accepted are unaffected; Send after Close returns
// ErrClosed. Close is idempotent.
func (m *Mailer) Close() error {
	if m.closed.Swap(true) {
		return nil
	}
	if m.dlv == nil {
		return nil
	}
	return m.dlv.Close()
}
