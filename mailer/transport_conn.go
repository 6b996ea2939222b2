package mailer

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// smtpConn is one open, greeted (and, as configured, encrypted and
// authenticated) SMTP connection.
type smtpConn struct {
	c        *smtp.Client
	wire     *wireConn
	raw      net.Conn // the TCP connection; closing it ends everything
	lastUsed time.Time
	sent     int               // messages delivered over it
	replies  *bufio.Reader     // the replies of pipelined commands, made on first use
	body     *textproto.Writer // the body after a pipelined DATA, made on first use
}

// wireConn is the connection go-smtp's client talks over. It replays the
// greeting we already read, and remembers whether a write failed, which
// tells "the final dot never left" from "its reply never came".
type wireConn struct {
	net.Conn // the raw or TLS connection
	r        io.Reader
	failed   atomic.Bool
}

func (w *wireConn) Read(p []byte) (int, error) { return w.r.Read(p) }

func (w *wireConn) Write(p []byte) (int, error) {
	n, err := w.Conn.Write(p)
	if err != nil {
		w.failed.Store(true)
	}
	return n, err
}

// dial opens and prepares a connection: TCP, TLS as configured, greeting,
// EHLO, AUTH. ctx bounds it all besides the configured timeouts.
func (t *transport) dial(ctx context.Context) (*smtpConn, error) {
	d := net.Dialer{Timeout: t.cfg.DialTimeout}
	raw, err := d.DialContext(ctx, "tcp", t.cfg.addr())
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, classifySend(OpDial, err, false)
	}
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	sc, err := t.open(raw)
	if !stop() {
		raw.Close()
		return nil, ctx.Err()
	}
	if err != nil {
		raw.Close()
		return nil, err
	}
	return sc, nil
}

// tlsConfig returns the configured TLS settings, completed.
func (t *transport) tlsConfig() *tls.Config {
	var c *tls.Config
	if t.cfg.TLSConfig != nil {
		c = t.cfg.TLSConfig.Clone()
	} else {
		c = &tls.Config{}
	}
	if c.ServerName == "" {
		c.ServerName = t.cfg.Host
	}
	if c.MinVersion == 0 {
		c.MinVersion = tls.VersionTLS12
	}
	return c
}

// open runs the session's opening over raw. Every step has the command
// timeout as its deadline.
//
// QUIRK: go-smtp v0.25 offers STARTTLS only through NewClientStartTLS, which
// waits 5 minutes for the greeting, says EHLO localhost, and reports the
// greeting, EHLO and STARTTLS failures alike. So we read the greeting and,
// for STARTTLS, do the RFC 3207 exchange ourselves, then hand go-smtp the
// connection with the greeting replayed.
func (t *transport) open(raw net.Conn) (*smtpConn, error) {
	deadline := func(c net.Conn) { c.SetDeadline(time.Now().Add(t.cfg.CommandTimeout)) }
	var conn net.Conn = raw
	if t.cfg.Security == SecurityTLS {
		tc := tls.Client(raw, t.tlsConfig())
		deadline(raw)
		if err := tc.Handshake(); err != nil {
			return nil, tlsSendError(err)
		}
		conn = tc
	}

	deadline(raw)
	br := bufio.NewReader(conn)
	tp := textproto.NewReader(br)
	greeting, err := readSMTPReply(tp, 220, OpGreeting)
	if err != nil {
		return nil, err
	}

	if t.cfg.Security == SecurityStartTLS {
		tc, err := t.startTLS(raw, br, tp)
		if err != nil {
			return nil, err
		}
		conn, br = tc, bufio.NewReader(tc)
	}
	raw.SetDeadline(time.Time{})

	// Replay the greeting, then whatever the reader buffered, then the
	// connection itself.
	lines := strings.Split(greeting, "\n")
	var replay strings.Builder
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		replay.WriteString("220" + sep + l + "\r\n")
	}
	buffered, _ := br.Peek(br.Buffered())
	wire := &wireConn{Conn: conn, r: io.MultiReader(strings.NewReader(replay.String()), strings.NewReader(string(buffered)), conn)}
	c := smtp.NewClient(wire)
	c.CommandTimeout = t.cfg.CommandTimeout
	c.SubmissionTimeout = t.cfg.DataTimeout
	sc := &smtpConn{c: c, wire: wire, raw: raw, lastUsed: t.now()}

	if err := c.Hello(t.cfg.LocalName); err != nil {
		return nil, classifySend(OpHello, err, false)
	}
	if t.cfg.Username != "" {
		if err := t.auth(c); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

// startTLS says EHLO, checks that STARTTLS is offered, asks for it and
// makes the handshake (RFC 3207). It never falls back to plaintext.
func (t *transport) startTLS(raw net.Conn, br *bufio.Reader, tp *textproto.Reader) (*tls.Conn, error) {
	deadline := func() { raw.SetDeadline(time.Now().Add(t.cfg.CommandTimeout)) }
	deadline()
	if _, err := fmt.Fprintf(raw, "EHLO %s\r\n", t.cfg.LocalName); err != nil {
		return nil, classifySend(OpHello, err, false)
	}
	ehlo, err := readSMTPReply(tp, 250, OpHello)
	if err != nil {
		return nil, err
	}
	offered := false
	for _, line := range strings.Split(ehlo, "\n")[1:] {
		if strings.EqualFold(strings.TrimSpace(line), "STARTTLS") {
			offered = true
		}
	}
	if !offered {
		return nil, &SendError{Op: OpStartTLS, class: sendPermanent,
			Err: errors.New("server does not offer STARTTLS, which this configuration requires (smtp://); use smtp+insecure:// only for a trusted local relay")}
	}
	deadline()
	if _, err := io.WriteString(raw, "STARTTLS\r\n"); err != nil {
		return nil, classifySend(OpStartTLS, err, false)
	}
	if _, err := readSMTPReply(tp, 220, OpStartTLS); err != nil {
		return nil, err
	}
	if br.Buffered() > 0 {
		// Bytes sent before the handshake could be injected by a
		// man in the middle (CVE-2011-0411 and kin): refuse them.
		return nil, &SendError{Op: OpStartTLS, class: sendPermanent,
			Err: errors.New("server sent data after its STARTTLS reply, before the TLS handshake")}
	}
	tc := tls.Client(raw, t.tlsConfig())
	deadline()
	if err := tc.Handshake(); err != nil {
		return nil, tlsSendError(err)
	}
	return tc, nil
}

// tlsError wraps a handshake failure; a certificate that does not verify is
// permanent, a timeout or reset transient.
func tlsSendError(err error) *SendError {
	e := classifySend(OpTLS, err, false)
	e.Op = OpTLS
	return e
}

// readReply reads one reply and turns a wrong code or a network error into
// a *SendError for op.
func readSMTPReply(tp *textproto.Reader, want int, op string) (string, error) {
	code, msg, err := tp.ReadResponse(want)
	if err == nil {
		return msg, nil
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return "", replyError(op, toSMTPError(te))
	}
	if code != 0 {
		// A reply that is not SMTP at all (textproto.ProtocolError).
		return "", &SendError{Op: op, class: sendTransient, Err: err}
	}
	return "", classifySend(op, err, false)
}

// toSMTPError parses the enhanced status code (RFC 2034) off a reply.
func toSMTPError(te *textproto.Error) *smtp.SMTPError {
	se := &smtp.SMTPError{Code: te.Code, Message: te.Msg}
	first, rest, ok := strings.Cut(te.Msg, " ")
	if !ok {
		return se
	}
	var ec smtp.EnhancedCode
	if n, _ := fmt.Sscanf(first, "%d.%d.%d", &ec[0], &ec[1], &ec[2]); n == 3 && first[0] >= '2' && first[0] <= '5' {
		se.EnhancedCode = ec
		se.Message = strings.ReplaceAll(rest, "\n"+first+" ", "\n")
	}
	return se
}

// auth authenticates with the configured mechanism, or PLAIN when offered
// and LOGIN otherwise (RFC 4954). Credentials only ever travel inside TLS
// unless the configuration is smtp+insecure.
func (t *transport) auth(c *smtp.Client) error {
	if ok, _ := c.Extension("AUTH"); !ok {
		return &SendError{Op: OpAuth, class: sendPermanent,
			Err: errors.New("server does not offer AUTH; drop the user name from the SMTP URL or check the port")}
	}
	mech := t.cfg.Auth
	if mech == "" {
		mech = "plain"
		if !c.SupportsAuth("PLAIN") && c.SupportsAuth("LOGIN") {
			mech = "login"
		}
	}
	var sc sasl.Client
	switch mech {
	case "login":
		sc = sasl.NewLoginClient(t.cfg.Username, t.cfg.Password)
	default:
		sc = sasl.NewPlainClient("", t.cfg.Username, t.cfg.Password)
	}
	if err := c.Auth(sc); err != nil {
		e := classifySend(OpAuth, err, false)
		if e.Err != nil && e.Code == 0 && !isNetErr(e.Err) {
			// go-sasl's own complaints are about the mechanism, not
			// worth a retry; none of them holds the password.
			e.class = sendPermanent
		}
		return e
	}
	return nil
}

// isNetErr reports whether err came from the connection rather than from
// the protocol.
func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}
