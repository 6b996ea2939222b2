package mailer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// smtpIdleLimit is how long an idle connection is trusted. Past it the
// transport says QUIT and dials anew rather than meet a server's idle
// timeout (Postfix's smtpd_timeout is 300s) in the middle of a command.
const smtpIdleLimit = 4 * time.Minute

// transport sends messages over SMTP (RFC 5321) with go-smtp's client,
// keeping up to MaxConns connections open between sends. It is safe for
// concurrent use.
//
// Each step has its own deadline (dial, command, data timeouts) and ctx
// cancels any step promptly by closing the connection. A connection is
// reused for the next message without RSET when the last transaction
// completed (RFC 5321 §4.1.1.4: the end of data clears the server's state),
// after RSET when it was aborted. A reused connection that turns out dead,
// or that the server closed with 421 while it sat idle, is replaced by a
// fresh one before anything of the message was sent, so the message goes
// out once.
//
// Partial recipients: when at least one RCPT is accepted the message is
// sent to those, and send returns a *SendError (Op "rcpt") listing in
// Rejected each refused recipient with its code and in Accepted the others.
// When none is accepted, the transaction is reset (RSET) and nothing is
// sent.
//
// Success is reported only after the server's 250 to the final ".". A
// failure after that (the next command, or QUIT at close) is logged as a
// warning; the message is never sent again.
type transport struct {
	cfg   SMTPConfig // defaults filled in
	err   error      // a configuration error, reported by every send
	log   *slog.Logger
	slots chan struct{}
	now   func() time.Time // the clock for idle ages; tests move it

	mu     sync.Mutex
	idle   []*smtpConn
	closed bool
}

// newTransport returns a transport for cfg. A nil log discards. The
// configuration is checked here and a problem is reported by send.
func newTransport(cfg *SMTPConfig, log *slog.Logger) *transport {
	t := &transport{log: log, now: time.Now}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	if cfg == nil {
		t.err = errors.New("mailer: smtp config: nil")
		cfg = &SMTPConfig{}
	}
	t.cfg = *cfg
	if t.err == nil {
		t.err = t.cfg.validate()
	}
	c := &t.cfg
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.CommandTimeout == 0 {
		c.CommandTimeout = DefaultCommandTimeout
	}
	if c.DataTimeout == 0 {
		c.DataTimeout = DefaultDataTimeout
	}
	if c.LocalName == "" {
		c.LocalName = "localhost"
	}
	if c.MaxConns == 0 {
		c.MaxConns = 1
	}
	t.slots = make(chan struct{}, max(c.MaxConns, 1))
	return t
}

// errTransportClosed is returned by send after close.
var errTransportClosed = errors.New("mailer: smtp transport closed")

// send delivers data (a complete message, CRLF line endings) from the
// envelope sender from to the envelope recipients to. It returns nil once
// the server answered 250 after DATA for every recipient, a *SendError
// otherwise (including a partial delivery, see transport), or ctx's error
// when ctx ended before the final "." was sent. When ctx ends after it, the
// error is a *SendError matching both ErrUnknownOutcome and ctx's error.
func (t *transport) send(ctx context.Context, from string, to []string, data []byte) error {
	if t.err != nil {
		return &SendError{Op: OpDial, class: sendPermanent, Err: t.err}
	}
	if err := checkSMTPEnvelope(from, to); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case t.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-t.slots }()

	for attempt := 0; ; attempt++ {
		sc, reused, err := t.get(ctx)
		if err != nil {
			return err
		}
		res := t.deliver(ctx, sc, from, to, data)
		if res.keep {
			t.put(sc)
		} else {
			sc.raw.Close()
		}
		if res.stale && reused && attempt == 0 {
			t.log.Debug("smtp: reused connection is gone, dialling again", "server", t.cfg.addr(), "cause", res.err)
			continue
		}
		return res.err
	}
}

// checkSMTPEnvelope refuses addresses that would break the command line or add
// ESMTP parameters to it ("a@b> ORCPT=…", CR, LF).
func checkSMTPEnvelope(from string, to []string) error {
	bad := func(a string) bool {
		return strings.ContainsFunc(a, func(r rune) bool {
			return r < 0x21 || r == 0x7f || r == '<' || r == '>'
		})
	}
	if bad(from) {
		return &SendError{Op: OpMail, class: sendPermanent, Err: fmt.Errorf("invalid envelope sender %q", from)}
	}
	if len(to) == 0 {
		return &SendError{Op: OpRcpt, class: sendPermanent, Err: errors.New("no recipients")}
	}
	for _, r := range to {
		if r == "" || bad(r) {
			return &SendError{Op: OpRcpt, class: sendPermanent, Err: fmt.Errorf("invalid envelope recipient %q", r)}
		}
	}
	return nil
}

// get returns an idle connection (reused = true) or dials a new one.
func (t *transport) get(ctx context.Context) (sc *smtpConn, reused bool, err error) {
	for {
		t.mu.Lock()
		if t.closed {
			t.mu.Unlock()
			return nil, false, &SendError{Op: OpDial, class: sendPermanent, Err: errTransportClosed}
		}
		if n := len(t.idle); n > 0 {
			sc = t.idle[n-1]
			t.idle = t.idle[:n-1]
		}
		t.mu.Unlock()
		if sc == nil {
			break
		}
		if t.now().Sub(sc.lastUsed) < smtpIdleLimit {
			return sc, true, nil
		}
		// Not worth waiting for: the QUIT is bounded by its deadline.
		go t.quit(sc)
		sc = nil
	}
	t.log.Debug("smtp: dial", "server", t.cfg)
	sc, err = t.dial(ctx)
	return sc, false, err
}

// put returns a healthy connection to the idle list.
func (t *transport) put(sc *smtpConn) {
	sc.lastUsed = t.now()
	t.mu.Lock()
	if !t.closed {
		t.idle = append(t.idle, sc)
		sc = nil
	}
	t.mu.Unlock()
	if sc != nil {
		t.quit(sc)
	}
}

// close says QUIT on the idle connections and closes them. Sends in flight
// finish; their connections are closed when they do. A failed QUIT is only
// logged: the messages before it were accepted.
func (t *transport) close() error {
	t.mu.Lock()
	idle := t.idle
	t.idle, t.closed = nil, true
	t.mu.Unlock()
	for _, sc := range idle {
		t.quit(sc)
	}
	return nil
}

// quit ends a connection politely, waiting at most 10s for the reply.
func (t *transport) quit(sc *smtpConn) {
	sc.raw.SetDeadline(time.Now().Add(min(t.cfg.CommandTimeout, 10*time.Second)))
	if err := sc.c.Quit(); err != nil && sc.sent > 0 {
		t.log.Warn("smtp: QUIT failed after delivery; the messages were accepted and are not sent again",
			"server", t.cfg.addr(), "messages", sc.sent, "err", classifySend(OpQuit, err, false))
	}
	sc.raw.Close()
}
