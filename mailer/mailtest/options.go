package mailtest

import "time"

// Option configures a Server.
type Option func(*config)

type config struct {
	startTLS    bool
	requireTLS  bool
	implicitTLS bool
	user, pass  string
	onMessage   func(Message)
	discard     bool
	idle        time.Duration
	maxBytes    int64
	maxConns    int
	deliver     func(Message) error
	faults      []*fault
}

// StartTLS makes the server offer STARTTLS.
func StartTLS() Option { return func(c *config) { c.startTLS = true } }

// RequireTLS makes the server offer STARTTLS and refuse MAIL with 530
// until the client has used it.
func RequireTLS() Option { return func(c *config) { c.startTLS, c.requireTLS = true, true } }

// ImplicitTLS makes the server speak TLS from the first byte (smtps).
func ImplicitTLS() Option { return func(c *config) { c.implicitTLS = true } }

// RequireAuth makes the server offer AUTH PLAIN and LOGIN and refuse MAIL
// with 530 until the client has authenticated as user with pass. A wrong
// password gets 535 5.7.8. The server offers AUTH in plaintext too.
func RequireAuth(user, pass string) Option {
	return func(c *config) { c.user, c.pass = user, pass }
}

// OnMessage calls fn with each accepted message, from the connection's
// goroutine, before the client gets its 250. fn must not block for long.
func OnMessage(fn func(Message)) Option { return func(c *config) { c.onMessage = fn } }

// DiscardMessages makes the server count accepted messages without keeping
// them, for long-running sinks that hand them to OnMessage.
func DiscardMessages() Option { return func(c *config) { c.discard = true } }

// IdleTimeout makes the server close a connection that sends nothing for d,
// in a command or in the middle of a message.
func IdleTimeout(d time.Duration) Option { return func(c *config) { c.idle = d } }

// MaxMessageBytes makes the server advertise SIZE n (RFC 1870) and refuse
// larger messages with 552 5.3.4: at MAIL when the client declares the
// size, else once the message is read (its bytes past n are not kept; a
// client still sending at twice n is answered and disconnected at once).
func MaxMessageBytes(n int64) Option { return func(c *config) { c.maxBytes = n } }
