package mailer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// ErrVetoed is what a [BeforeSendFunc] returns (or wraps) to stop a message
// on purpose, so that callers can tell a policy decision from a failure
// with errors.Is.
var ErrVetoed = errors.New("mailer: message vetoed by before-send hook")

// BeforeSendFunc is called by [Mailer.Send] with each rendered message just
// before delivery. It may:
//   - veto the message by returning an error (ErrVetoed or one wrapping
//     it, for a deliberate stop): nothing is sent or written, and Send
//     returns the error wrapped;
//   - rewrite the envelope: env.To (the recipients the message is
//     delivered to; the To and Cc header fields stay as rendered, so a
//     redirected message shows who it was meant for) and env.From;
//   - replace env.Data, at its own risk: it must still be a message
//     obeying the wire rules (CRLF only, 7-bit, lines of at most 998
//     octets), which Send checks again.
//
// [Mailer.Render] does not call it: Render gives the bytes before any hook.
type BeforeSendFunc func(ctx context.Context, env *Envelope) error

// AfterSendFunc is called by [Mailer.Send] after each delivery attempt,
// with the envelope as delivered and the delivery error (nil on success):
// for logging, metrics, or storing env.MessageID against env.Resource. It
// is not called when rendering or a BeforeSend hook failed.
type AfterSendFunc func(ctx context.Context, env *Envelope, err error)

// Redirect returns a BeforeSendFunc that delivers every message to addr
// alone, whoever it was addressed to: for a staging system that must never
// write to real partners. The header fields are left as rendered.
func Redirect(addr string) BeforeSendFunc {
	return func(ctx context.Context, env *Envelope) error {
		a, err := parseAddress("redirect address", addr)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrVetoed, err)
		}
		env.To = []string{a.Addr}
		return nil
	}
}

// LogSend returns an AfterSendFunc that logs every delivery attempt with
// log (nil means slog.Default()), for the log lines a backoffice keeps
// about what went out:
//   - success: Info "mailer: sent", with the resource, the Message-ID and
//     the number of envelope recipients (with [Config].Outbox, success means
//     the message is safely queued);
//   - failure: "mailer: send failed" with the same attributes, the class
//     (transient, unknown-outcome, permanent, cancelled or other) and the
//     error, at Warn when trying again may help (transient, unknown
//     outcome, a cancelled context) and at Error otherwise.
//
// The error text carries the server's reply, never the SMTP password. To
// log and do more (metrics, storing the Message-ID), call the returned
// function from your own hook.
func LogSend(log *slog.Logger) AfterSendFunc {
	return func(ctx context.Context, env *Envelope, err error) {
		l := logger(log) // at each call: slog.SetDefault may come later
		attrs := []slog.Attr{
			slog.String("resource", env.Resource),
			slog.String("message_id", env.MessageID),
			slog.Int("recipients", len(env.To)),
		}
		if err == nil {
			l.LogAttrs(ctx, slog.LevelInfo, "mailer: sent", attrs...)
			return
		}
		class, level := "other", slog.LevelError
		switch {
		case errors.Is(err, ErrTransient):
			class, level = "transient", slog.LevelWarn
		case errors.Is(err, ErrUnknownOutcome):
			class, level = "unknown-outcome", slog.LevelWarn
		case errors.Is(err, ErrPermanent):
			class = "permanent"
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			class, level = "cancelled", slog.LevelWarn
		}
		attrs = append(attrs, slog.String("class", class), slog.Any("err", err))
		l.LogAttrs(ctx, level, "mailer: send failed", attrs...)
	}
}
