package mailer

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/emersion/go-smtp"
)

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
		if !stop() {
			cancelled(ctx, &res, afterDot)
		}
	}()

	opts, err := mailOptions(c, from, to, len(data))
	if err != nil {
		return deliveryResult{keep: true, err: err}
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
	accepted, rejected, fatal := sendRcpts(to, func(rcpt string) error { return c.Rcpt(rcpt, nil) })
	if fatal != nil {
		return deliveryResult{err: fatal}
	}
	if len(accepted) == 0 {
		return deliveryResult{err: rcptError(rejected, nil), keep: t.reset(c)}
	}
	reply, res := t.sendData(sc, data, &afterDot)
	if res.err != nil {
		return res
	}
	sc.sent++
	t.log.Debug("smtp: sent", "server", t.cfg.addr(), "rcpts", len(accepted), "reply", reply)
	if len(rejected) > 0 {
		return deliveryResult{err: rcptError(rejected, accepted), keep: true}
	}
	return deliveryResult{keep: true}
}

// cancelled adjusts the result of a delivery whose ctx ended and closed
// the connection under it: a 250 that came first still counts, an
// attempt after the final "." has an unknown outcome, anything before it
// is ctx's error.
func cancelled(ctx context.Context, res *deliveryResult, afterDot bool) {
	res.keep, res.stale = false, false
	if res.err == nil {
		return // the 250 came first: delivered
	}
	if afterDot {
		res.err = &SendError{Op: OpData, class: sendUnknown, Err: ctx.Err()}
	} else {
		res.err = ctx.Err()
	}
}

// mailOptions returns the MAIL parameters of a message of size octets.
// SIZE (RFC 1870) lets the server refuse a message too large before we
// send it; a non-ASCII address needs SMTPUTF8 (RFC 6531).
func mailOptions(c *smtp.Client, from string, to []string, size int) (*smtp.MailOptions, *SendError) {
	opts := &smtp.MailOptions{Size: int64(size)}
	if !asciiOnly(from) || !allASCIIOnly(to) {
		if ok, _ := c.Extension("SMTPUTF8"); !ok {
			return nil, &SendError{Op: OpMail, class: sendPermanent,
				Err: errors.New("non-ASCII address but the server does not offer SMTPUTF8 (RFC 6531)")}
		}
		opts.UTF8 = true
	}
	return opts, nil
}

// sendRcpts runs rcpt for each recipient (a RCPT command, or the reading
// of its pipelined reply) and sorts them into accepted and refused. A
// failure that ends the transaction (no reply, 421) stops it as fatal.
func sendRcpts(to []string, rcpt func(string) error) (accepted []string, rejected []RcptError, fatal *SendError) {
	for _, r := range to {
		err := rcpt(r)
		if err == nil {
			accepted = append(accepted, r)
			continue
		}
		rej, fatal := rcptRefused(r, err)
		if fatal != nil {
			return nil, nil, fatal
		}
		rejected = append(rejected, rej)
	}
	return accepted, rejected, nil
}

// sendData sends DATA, the body and the final "." and reads its reply
// (RFC 5321 §4.1.1.4), one command at a time. It returns the server's
// reply text when the message was accepted, else the failed result. It
// sets *afterDot when the final "." left and its reply did not come.
func (t *transport) sendData(sc *smtpConn, data []byte, afterDot *bool) (string, deliveryResult) {
	w, err := sc.c.Data()
	if err != nil {
		e := classifySend(OpData, err, false)
		if e.Code == 0 || e.Code == 421 {
			return "", deliveryResult{err: e}
		}
		return "", deliveryResult{err: e, keep: t.reset(sc.c)}
	}
	sc.raw.SetDeadline(time.Now().Add(t.cfg.DataTimeout))
	if _, err := w.Write(data); err != nil {
		return "", deliveryResult{err: classifySend(OpData, err, false)}
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		var se *smtp.SMTPError
		switch {
		case errors.As(err, &se):
			return "", deliveryResult{err: replyError(OpData, se), keep: se.Code != 421}
		case sc.wire.failed.Load():
			// A write failed: the final "." never left.
			return "", deliveryResult{err: classifySend(OpData, err, false)}
		default:
			*afterDot = true
			return "", deliveryResult{err: classifySend(OpData, err, true)}
		}
	}
	return resp.StatusText, deliveryResult{}
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
