package mailer

import (
	"context"
	"log/slog"
)

// Outbox holds rendered messages until they are delivered. With
// Config.Outbox set, Send and Deliver hand each message to it and return
// once it is stored; the outbox delivers it later, retrying as its rules
// say. Package outbox has the stores (a folder, PostgreSQL) and the
// delivery rules.
type Outbox interface {
	// Enqueue stores env durably and returns its id in the outbox. Once
	// it returned nil, the message will be delivered at least once, with
	// these bytes. It must not keep env.
	Enqueue(ctx context.Context, env *Envelope) (id string, err error)
}

// Transport transmits rendered messages: over SMTP ([NewSMTPTransport]) or
// into a folder of .eml files ([NewFileTransport]). Implementations are
// safe for concurrent use.
type Transport interface {
	// Transmit delivers env. It returns nil once the server accepted the
	// message with 250 after DATA (or the file is on disk), with where
	// it went when that is a file; otherwise a *SendError (match its
	// class with errors.Is: ErrTransient, ErrPermanent,
	// ErrUnknownOutcome), or ctx's error when ctx ended before anything
	// was sent.
	Transmit(ctx context.Context, env *Envelope) (where string, err error)
	// Close releases the transport's connections.
	Close() error
}

// SMTPTransport sends over SMTP, keeping up to SMTPConfig.MaxConns
// connections open and reusing them from message to message (see
// [SMTPConfig] for the timeouts and TLS policy). It is safe for concurrent
// use.
type SMTPTransport struct{ t *transport }

// NewSMTPTransport returns a transport to the server cfg describes. A nil
// log discards. It makes no connection: the first Transmit does; a bad
// configuration is reported by every Transmit.
func NewSMTPTransport(cfg *SMTPConfig, log *slog.Logger) *SMTPTransport {
	return &SMTPTransport{t: newTransport(cfg, log)}
}

// Transmit sends env over SMTP; where is always "".
func (d *SMTPTransport) Transmit(ctx context.Context, env *Envelope) (string, error) {
	return "", d.t.send(ctx, env.From, env.To, env.Data)
}

// Close says QUIT on the idle connections and closes them.
func (d *SMTPTransport) Close() error { return d.t.close() }

// outboxTransport makes Send enqueue into an Outbox.
type outboxTransport struct{ o Outbox }

func (d outboxTransport) Transmit(ctx context.Context, env *Envelope) (string, error) {
	return d.o.Enqueue(ctx, env)
}

func (d outboxTransport) Close() error { return nil }
