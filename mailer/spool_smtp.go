package mailer

import "log/slog"

// newSpoolSMTP returns the SMTP sender of a spool: the transport, keeping
// up to conns connections open and reusing them from message to message.
func newSpoolSMTP(cfg *SMTPConfig, conns int, log *slog.Logger) (spoolSender, error) {
	c := *cfg // don't modify the caller's view
	c.MaxConns = conns
	return newTransport(&c, log), nil
}
