package mailer

import (
	"bufio"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// deliverPipelined runs one mail transaction over sc with the commands
// pipelined (RFC 2920): MAIL, every RCPT and DATA are written at once and
// their replies read in order, then the body follows DATA's 354 as usual.
// The outcome of each reply is judged as deliver judges it one command at
// a time, so the errors, the partial-recipient report and whether the
// connection is kept are the same; only the round trips differ. It sets
// *afterDot when the final "." left and its reply did not come.
func (t *transport) deliverPipelined(sc *smtpConn, from string, to []string, data []byte, opts *smtp.MailOptions, afterDot *bool) deliveryResult {
	c := sc.c
	if sc.replies == nil {
		sc.replies = bufio.NewReader(sc.wire)
	}
	tp := textproto.NewReader(sc.replies)
	command := func() { sc.raw.SetDeadline(time.Now().Add(t.cfg.CommandTimeout)) }

	command()
	if _, err := sc.wire.Write(commandGroup(c, from, to, opts)); err != nil {
		// Nothing was answered: a connection that died while idle.
		return deliveryResult{err: classifySend(OpMail, err, false), stale: true}
	}
	// MAIL. A refusal makes the server refuse the rest (503); their
	// replies are read so that the connection stays in step.
	command()
	if _, err := readSMTPReply(tp, 250, OpMail); err != nil {
		e := classifySend(OpMail, err, false)
		if e.Code == 421 || e.Code == 0 {
			return deliveryResult{err: e, stale: true}
		}
		return deliveryResult{err: e, keep: t.skipReplies(sc, tp, len(to))}
	}
	accepted, rejected, fatal := sendRcpts(to, func(string) error {
		command()
		_, err := readSMTPReply(tp, 250, OpRcpt)
		return err
	})
	if fatal != nil {
		return deliveryResult{err: fatal}
	}
	command()
	if res, ok := t.judgeData(c, tp, accepted, rejected); !ok {
		return res
	}
	msg, res := t.sendBodyPipelined(sc, tp, data, afterDot)
	if res.err != nil {
		return res
	}
	sc.sent++
	t.log.Debug("smtp: sent", "server", t.cfg.addr(), "rcpts", len(accepted), "reply", msg, "pipelined", true)
	// Nothing may be left unread: go-smtp's client reads the next reply.
	keep := sc.replies.Buffered() == 0
	if !keep {
		t.log.Debug("smtp: the server said more than it was asked, closing", "server", t.cfg.addr())
	}
	if len(rejected) > 0 {
		return deliveryResult{err: rcptError(rejected, accepted), keep: keep}
	}
	return deliveryResult{keep: keep}
}

// commandGroup is MAIL, every RCPT and DATA, written at once.
func commandGroup(c *smtp.Client, from string, to []string, opts *smtp.MailOptions) []byte {
	var group strings.Builder
	group.WriteString(mailCommand(c, from, opts))
	for _, rcpt := range to {
		fmt.Fprintf(&group, "RCPT TO:<%s>\r\n", rcpt)
	}
	group.WriteString("DATA\r\n")
	return []byte(group.String())
}

// judgeData reads the reply to a pipelined DATA and reports whether the
// body may follow; when not, it returns the result of the attempt.
func (t *transport) judgeData(c *smtp.Client, tp *textproto.Reader, accepted []string, rejected []RcptError) (deliveryResult, bool) {
	_, err := readSMTPReply(tp, 354, OpData)
	switch {
	case err == nil && len(accepted) == 0:
		// A server that says 354 with no recipient (RFC 2920 §3.1 asks it
		// not to): end the empty message and drop the connection.
		return deliveryResult{err: rcptError(rejected, nil)}, false
	case err != nil:
		e := classifySend(OpData, err, false)
		if e.Code == 0 || e.Code == 421 {
			return deliveryResult{err: e}, false
		}
		if len(accepted) == 0 {
			return deliveryResult{err: rcptError(rejected, nil), keep: t.reset(c)}, false
		}
		return deliveryResult{err: e, keep: t.reset(c)}, false
	}
	return deliveryResult{}, true
}

// sendBodyPipelined writes the body and the final "." after DATA's 354
// and reads the reply (RFC 5321 §4.1.1.4). It returns the server's reply
// text when the message was accepted, else the failed result, and sets
// *afterDot when the final "." left and its reply did not come.
func (t *transport) sendBodyPipelined(sc *smtpConn, tp *textproto.Reader, data []byte, afterDot *bool) (string, deliveryResult) {
	sc.raw.SetDeadline(time.Now().Add(t.cfg.DataTimeout))
	if sc.body == nil {
		sc.body = textproto.NewWriter(bufio.NewWriter(sc.wire))
	}
	dw := sc.body.DotWriter()
	if _, err := dw.Write(data); err != nil {
		return "", deliveryResult{err: classifySend(OpData, err, false)}
	}
	if err := dw.Close(); err != nil {
		return "", deliveryResult{err: classifySend(OpData, err, false)}
	}
	_, msg, err := tp.ReadResponse(250)
	sc.raw.SetDeadline(time.Time{})
	if err != nil {
		var te *textproto.Error
		switch {
		case errors.As(err, &te):
			return "", deliveryResult{err: replyError(OpData, toSMTPError(te)), keep: te.Code != 421}
		case sc.wire.failed.Load():
			return "", deliveryResult{err: classifySend(OpData, err, false)}
		default:
			*afterDot = true
			return "", deliveryResult{err: classifySend(OpData, err, true)}
		}
	}
	return msg, deliveryResult{}
}

// skipReplies reads the replies to n RCPT commands and DATA after a
// refused MAIL and reports whether the connection is fit for another
// message: every reply came and none started a message.
func (t *transport) skipReplies(sc *smtpConn, tp *textproto.Reader, n int) bool {
	for i := 0; i <= n; i++ {
		sc.raw.SetDeadline(time.Now().Add(t.cfg.CommandTimeout))
		code, _, err := tp.ReadResponse(0)
		if code == 0 || code == 354 || code == 421 || err != nil && !isReply(err) {
			return false
		}
	}
	sc.raw.SetDeadline(time.Time{})
	return sc.replies.Buffered() == 0
}

// isReply reports whether err is a server's reply rather than a failure
// to read one.
func isReply(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te)
}

// mailCommand is the MAIL command line go-smtp's client would send for
// from and opts (RFC 5321 §4.1.1.2, with BODY, SIZE and SMTPUTF8 as the
// server offers them).
func mailCommand(c *smtp.Client, from string, opts *smtp.MailOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "MAIL FROM:<%s>", from)
	if ok, _ := c.Extension("8BITMIME"); ok {
		b.WriteString(" BODY=8BITMIME")
	}
	if ok, _ := c.Extension("SIZE"); ok && opts.Size != 0 {
		fmt.Fprintf(&b, " SIZE=%d", opts.Size)
	}
	if opts.UTF8 {
		b.WriteString(" SMTPUTF8")
	}
	b.WriteString("\r\n")
	return b.String()
}
