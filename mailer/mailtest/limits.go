package mailtest

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/emersion/go-smtp"
)

// MaxConnections makes the server hold at most n connections at once: one
// more is answered "421 4.7.0 Too many connections" and closed (RFC 5321
// section 3.8: the client tries again later). Zero means no cap.
func MaxConnections(n int) Option { return func(c *config) { c.maxConns = n } }

// Deliver calls fn with each message before the client gets its reply, and
// answers with what fn returns: nil is 250 (the message counts as
// accepted), an *smtp.SMTPError is sent as it is, and any other error
// becomes "451 4.3.0" so that the client keeps the message and retries. A
// server that saves messages uses it to never acknowledge one it could
// not store.
func Deliver(fn func(Message) error) Option { return func(c *config) { c.deliver = fn } }

// errNotStored is the reply when Deliver's function fails.
var errNotStored = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Message could not be stored, try again later"}

// deliverReply turns an error of Deliver's function into the reply.
func deliverReply(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se
	}
	return errNotStored
}

var errTooBig = &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message too big"}

// tooMany is written to a connection over MaxConnections.
const tooMany = "421 4.7.0 Too many connections, try again later\r\n"

// refuse answers a connection over the cap and closes it, without
// waiting for the client.
func refuse(nc net.Conn) {
	nc.SetWriteDeadline(time.Now().Add(time.Second))
	io.WriteString(nc, tooMany)
	nc.Close()
}

// Reading a message over MaxMessageBytes: go-smtp stops handing its bytes
// to the session (so memory stays at the limit) and reads the rest to the
// final "." before it answers 552. A client that declared no SIZE and
// sends a message a little too large thus gets a clean 552; one that goes
// on past twice the limit (a never-ending DATA) is answered 552 at once
// and disconnected, by the connection itself, which counts what go-smtp
// discards.

// discard starts counting what is read after the limit: past budget more
// bytes the connection answers 552 and closes.
func (c *conn) discard(budget int64) { c.budget.Store(max(budget, 1)) }

// stopDiscard ends the count, once go-smtp has read the message's end.
func (c *conn) stopDiscard() { c.budget.Store(0) }

// Read reads with the idle timeout (no byte for that long closes the
// connection, in DATA too) and the discard budget.
func (c *conn) Read(p []byte) (int, error) {
	if d := c.srv.cfg.idle; d > 0 {
		c.Conn.SetReadDeadline(time.Now().Add(d))
	}
	n, err := c.Conn.Read(p)
	if n > 0 && c.budget.Load() > 0 && c.budget.Add(-int64(n)) <= 0 {
		c.budget.Store(0)
		c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
		io.WriteString(c.Conn, "552 5.3.4 Message too big, closing connection\r\n")
		c.Close()
		return 0, errTooBig
	}
	return n, err
}
