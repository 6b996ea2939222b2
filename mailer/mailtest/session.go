package mailtest

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

var (
	errTLSRequired  = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Must issue a STARTTLS command first"}
	errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	errDropped      = errors.New("mailtest: connection dropped by fault")
)

// session is one SMTP session; go-smtp calls it from the connection's goroutine.
type session struct {
	srv  *Server
	c    *smtp.Conn
	user string
	from string
	to   []string
	// inData is set while go-smtp finishes a DATA command, so that the
	// Reset it calls then is not counted as a client's RSET.
	inData   bool
	accepted bool
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{srv: s, c: c}, nil
}

func (ss *session) isTLS() bool { return isTLS(ss.c.Conn()) }

// act plays a fault that returns an error reply, or drops, or stalls. It
// returns nil when f is nil.
func (ss *session) act(f *fault) error {
	if f == nil {
		return nil
	}
	ss.srv.update(func(st *Stats) { st.Faults++ })
	switch f.Action {
	case Drop:
		ss.c.Conn().Close()
		return errDropped
	case Stall:
		ss.srv.stall()
		ss.c.Conn().Close()
		return errDropped
	}
	return f.reply()
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from, ss.to = "", nil
	switch {
	case ss.srv.cfg.requireTLS && !ss.isTLS():
		return errTLSRequired
	case ss.srv.cfg.user != "" && ss.user == "":
		return errAuthRequired
	}
	if err := ss.act(ss.srv.match(StageMail, "")); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.act(ss.srv.match(StageRcpt, to)); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	ss.inData = true
	srv := ss.srv
	var body bytes.Buffer
	f := srv.match(StageData, "")
	if f != nil && f.Action != Reply {
		io.CopyN(&body, r, int64(f.After))
		return ss.act(f)
	}
	if _, err := io.Copy(&body, r); err != nil {
		if errors.Is(err, smtp.ErrDataTooLarge) {
			if c := connOf(ss.c.Conn()); c != nil {
				c.discard(srv.cfg.maxBytes)
			}
			return errTooBig
		}
		return err
	}
	m := Message{
		From: ss.from,
		To:   append([]string(nil), ss.to...),
		Data: body.Bytes(),
		TLS:  ss.isTLS(),
		User: ss.user,
		Helo: ss.c.Hostname(),
	}
	if c := connOf(ss.c.Conn()); c != nil {
		m.Conn = c.id
	}
	if f == nil {
		f = srv.match(StageDataEnd, "")
	}
	if f != nil && f.Action == Reply {
		return ss.act(f)
	}
	if srv.cfg.deliver != nil {
		if err := srv.cfg.deliver(m.clone()); err != nil {
			return deliverReply(err)
		}
	}
	// Accepted, or accepted and the reply lost (Drop, Stall): the message
	// is recorded either way, as a server that queued it would have it.
	srv.record(m)
	if err := ss.act(f); err != nil {
		return err
	}
	ss.accepted = true
	return nil
}

func (ss *session) Reset() {
	if c := connOf(ss.c.Conn()); c != nil {
		c.stopDiscard() // go-smtp has read the message's end
	}
	switch {
	case ss.accepted:
		// go-smtp calls Reset right after writing the 250 for a message.
		ss.accepted = false
		if f := ss.srv.match(StageAccepted, ""); f != nil {
			ss.srv.update(func(st *Stats) { st.Faults++ })
			if f.Action == Reply {
				io.WriteString(ss.c.Conn(), f.line())
			}
			ss.c.Conn().Close()
		}
	case ss.inData:
	default:
		ss.srv.update(func(st *Stats) { st.Resets++ })
	}
	ss.inData = false
	ss.from, ss.to = "", nil
}

func (ss *session) Logout() error { return nil }

// AuthMechanisms offers PLAIN and LOGIN when RequireAuth was given.
func (ss *session) AuthMechanisms() []string {
	if ss.srv.cfg.user == "" {
		return nil
	}
	return []string{sasl.Plain, sasl.Login}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	srv := ss.srv
	srv.update(func(st *Stats) { st.AuthAttempts++ })
	if err := ss.act(srv.match(StageAuth, "")); err != nil {
		return nil, err
	}
	check := func(user, pass string) error {
		if user != srv.cfg.user || pass != srv.cfg.pass {
			return smtp.ErrAuthFailed
		}
		ss.user = user
		return nil
	}
	switch strings.ToUpper(mech) {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, user, pass string) error {
			if identity != "" && identity != user {
				return smtp.ErrAuthFailed
			}
			return check(user, pass)
		}), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// loginServer is the server side of the LOGIN mechanism
// (draft-murchison-sasl-login), which go-sasl offers only as a client.
type loginServer struct {
	check func(user, pass string) error
	user  string
	state int
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch l.state {
	case 0:
		l.state = 1
		if len(response) == 0 {
			return []byte("Username:"), false, nil
		}
		// An initial response carries the user name.
		l.user = string(response)
		l.state = 2
		return []byte("Password:"), false, nil
	case 1:
		l.user = string(response)
		l.state = 2
		return []byte("Password:"), false, nil
	case 2:
		l.state = 3
		return nil, true, l.check(l.user, string(response))
	}
	return nil, true, errors.New("mailtest: unexpected LOGIN response")
}
