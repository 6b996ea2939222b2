package mailer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
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

// deliveryResult is the outcome of one delivery attempt over one connection.
type deliveryResult struct {
	err   error
	keep  bool // the connection is fit for another message
	stale bool // it failed before anything of this message was accepted, as a dead idle connection does
}

// deliver runs one mail transaction over sc.
func (t *transport) deliver(ctx context.Context, sc *smtpConn, from string, to []string, data []byte) (res deliveryResult) {
	c := sc.c
	sc.wire.failed.Store(false)
	afterDot := false
	stop := context.AfterFunc(ctx, func() { sc.raw.Close() })
	defer func() {
		if stop() {
			return
		}
		// ctx ended and closed the connection under us.
		res.keep, res.stale = false, false
		if res.err == nil {
			return // the 250 came first: delivered
		}
		if afterDot {
			res.err = &SendError{Op: OpData, class: sendUnknown, Err: ctx.Err()}
		} else {
			res.err = ctx.Err()
		}
	}()

	// MAIL (RFC 5321 §3.3). SIZE (RFC 1870) lets the server refuse a
	// message too large before we send it.
	opts := &smtp.MailOptions{Size: int64(len(data))}
	if !asciiOnly(from) || !allASCIIOnly(to) {
		if ok, _ := c.Extension("SMTPUTF8"); !ok {
			return deliveryResult{keep: true, err: &SendError{Op: OpMail, class: sendPermanent,
				Err: errors.New("non-ASCII address but the server does not offer SMTPUTF8 (RFC 6531)")}}
		}
		opts.UTF8 = true
	}
	if ok, _ := c.Extension("PIPELINING"); ok && !t.cfg.NoPipelining {
		return t.deliverPipelined(sc, from, to, data, opts, &afterDot)
	}
	if err := c.Mail(from, opts); err != nil {
		e := classifySend(OpMail, err, false)
		// 421 means the server is closing the channel (RFC 5321 §3.8).
		gone := e.Code == 421 || e.Code == 0
		return deliveryResult{err: e, keep: !gone, stale: gone}
	}

	// RCPT, one by one; refusals are collected.
	var rejected []RcptError
	var accepted []string
	for _, rcpt := range to {
		err := c.Rcpt(rcpt, nil)
		if err == nil {
			accepted = append(accepted, rcpt)
			continue
		}
		rej, fatal := rcptRefused(rcpt, err)
		if fatal != nil {
			return deliveryResult{err: fatal}
		}
		rejected = append(rejected, rej)
	}
	if len(accepted) == 0 {
		return deliveryResult{err: rcptError(rejected, nil), keep: t.reset(c)}
	}

	// DATA, the body, the final "." and its reply (RFC 5321 §4.1.1.4).
	w, err := c.Data()
	if err != nil {
		e := classifySend(OpData, err, false)
		if e.Code == 0 || e.Code == 421 {
			return deliveryResult{err: e}
		}
		return deliveryResult{err: e, keep: t.reset(c)}
	}
	sc.raw.SetDeadline(time.Now().Add(t.cfg.DataTimeout))
	if _, err := w.Write(data); err != nil {
		return deliveryResult{err: classifySend(OpData, err, false)}
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		var se *smtp.SMTPError
		switch {
		case errors.As(err, &se):
			return deliveryResult{err: replyError(OpData, se), keep: se.Code != 421}
		case sc.wire.failed.Load():
			// A write failed: the final "." never left.
			return deliveryResult{err: classifySend(OpData, err, false)}
		default:
			afterDot = true
			return deliveryResult{err: classifySend(OpData, err, true)}
		}
	}
	sc.sent++
	t.log.Debug("smtp: sent", "server", t.cfg.addr(), "rcpts", len(accepted), "reply", resp.StatusText)
	if len(rejected) > 0 {
		return deliveryResult{err: rcptError(rejected, accepted), keep: true}
	}
	return deliveryResult{keep: true}
}

// reset aborts the transaction with RSET and reports whether the connection
// is still usable.
func (t *transport) reset(c *smtp.Client) bool {
	return c.Reset() == nil
}

// rcptError reports refused recipients; it is transient when trying again
// may help one of them.
func rcptError(rejected []RcptError, accepted []string) *SendError {
	e := &SendError{Op: OpRcpt, Rejected: rejected, Accepted: accepted, class: sendPermanent}
	for _, r := range rejected {
		if r.Temporary() {
			e.class = sendTransient
		}
	}
	if len(rejected) == 1 && len(accepted) == 0 {
		r := rejected[0]
		e.Rcpt, e.Code, e.Enhanced, e.Msg = r.Rcpt, r.Code, r.Enhanced, r.Msg
	}
	return e
}

func asciiOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func allASCIIOnly(ss []string) bool {
	for _, s := range ss {
		if !asciiOnly(s) {
			return false
		}
	}
	return true
}

var _ io.Writer = (*wireConn)(nil)

// rcptRefused judges a refused RCPT: the recipient's refusal, collected
// with the others, or an error that ends the whole delivery (a lost
// connection, or 421: the server is closing it).
func rcptRefused(rcpt string, err error) (RcptError, *SendError) {
	e := classifySend(OpRcpt, err, false)
	if e.Code == 0 || e.Code == 421 {
		e.Rcpt = rcpt
		return RcptError{}, e
	}
	return RcptError{Rcpt: rcpt, Code: e.Code, Enhanced: e.Enhanced, Msg: e.Msg}, nil
}
