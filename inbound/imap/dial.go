package imap

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// session is one logged-in IMAP connection.
type session struct {
	p       *Poller
	ep      *endpoint
	conn    net.Conn
	c       *imapclient.Client
	updates chan struct{} // a new message may have arrived (EXISTS)

	noMove bool // the server refused a MOVE: copy from now on

	mu       sync.Mutex
	closed   bool
	stopCtx  func() bool
	deadline *time.Timer
}

// connect dials, secures and logs in. On error nothing stays open.
func (p *Poller) connect(ctx context.Context) (*session, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	ep, _ := parseIMAPURL(p.URL)
	dctx, cancel := context.WithTimeout(ctx, dur(p.DialTimeout, 30*time.Second))
	defer cancel()
	conn, err := p.dial(dctx, ep)
	if err != nil {
		return nil, err
	}
	// Bound the whole handshake (TLS, greeting, STARTTLS, LOGIN) by the
	// dial timeout and ctx; the client's own per-command deadlines take
	// over afterwards.
	stopDial := context.AfterFunc(dctx, func() { conn.Close() })
	fail := func(err error) (*session, error) {
		stopDial()
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if dctx.Err() != nil && !errors.Is(err, ErrAuth) {
			return nil, fmt.Errorf("imap: connect to %s: timed out after %v: %w", ep.addr, dur(p.DialTimeout, 30*time.Second), err)
		}
		return nil, err
	}

	s := &session{p: p, ep: ep, conn: conn, updates: make(chan struct{}, 1)}
	if err := s.secure(dctx); err != nil {
		return fail(err)
	}
	if err := s.login(); err != nil {
		s.c.Close()
		return fail(err)
	}
	if !stopDial() {
		s.c.Close()
		return fail(fmt.Errorf("imap: connect to %s: %w", ep.addr, context.DeadlineExceeded))
	}
	s.closeOnCancel(ctx)
	p.logger().Debug("imap: logged in", "server", ep.addr, "user", ep.user, "caps", capList(s.c.Caps()))
	return s, nil
}

// secure starts the IMAP client on s.conn, with TLS from the first byte
// or after STARTTLS as the URL asks, or in the clear.
func (s *session) secure(ctx context.Context) error {
	opts := &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					s.notify()
				}
			},
		},
	}
	switch s.ep.sec {
	case secImplicitTLS:
		tc := tls.Client(s.conn, s.p.tlsConfig(s.ep))
		if err := tc.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("imap: connect to %s: %w: %w", s.ep.addr, ErrTLS, err)
		}
		s.conn = tc
		s.c = imapclient.New(tc, opts)
	case secStartTLS:
		opts.TLSConfig = s.p.tlsConfig(s.ep)
		c, err := imapclient.NewStartTLS(s.conn, opts)
		if err != nil {
			return fmt.Errorf("imap: connect to %s: STARTTLS: %w: %w", s.ep.addr, ErrTLS, err)
		}
		s.c = c
	default:
		s.c = imapclient.New(s.conn, opts)
	}
	return nil
}

// login waits for the server's greeting and logs in; a refusal wraps
// [ErrAuth].
func (s *session) login() error {
	ep := s.ep
	if err := s.c.WaitGreeting(); err != nil {
		return fmt.Errorf("imap: connect to %s: greeting: %w", ep.addr, err)
	}
	if err := s.c.Login(ep.user, ep.password).Wait(); err != nil {
		var ie *goimap.Error
		if errors.As(err, &ie) {
			return fmt.Errorf("%w: log in to %s as %s: %s", ErrAuth, ep.addr, ep.user, ie.Text)
		}
		return fmt.Errorf("imap: log in to %s as %s: %w", ep.addr, ep.user, err)
	}
	return nil
}

// closeOnCancel arranges that, once ctx is cancelled, the command in
// flight gets LogoutTimeout to finish before the connection is cut; the
// code between commands sees ctx.Err() and logs out politely.
func (s *session) closeOnCancel(ctx context.Context) {
	s.stopCtx = context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.closed && s.deadline == nil {
			s.deadline = time.AfterFunc(s.logoutTimeout(), func() { s.c.Close() })
		}
	})
}

func capList(caps goimap.CapSet) []string {
	var l []string
	for c := range caps {
		l = append(l, string(c))
	}
	return l
}

func (p *Poller) tlsConfig(ep *endpoint) *tls.Config {
	var cfg *tls.Config
	if p.TLSConfig != nil {
		cfg = p.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = ep.host
	}
	if cfg.NextProtos == nil {
		cfg.NextProtos = []string{"imap"}
	}
	return cfg
}

// dial opens the TCP connection, through the proxy if there is one.
func (p *Poller) dial(ctx context.Context, ep *endpoint) (net.Conn, error) {
	var d net.Dialer
	if p.ProxyURL == "" {
		conn, err := d.DialContext(ctx, "tcp", ep.addr)
		if err != nil {
			return nil, fmt.Errorf("imap: connect to %s: %w", ep.addr, err)
		}
		return conn, nil
	}
	if ep.sec == secInsecure {
		return nil, fmt.Errorf("%w: imap+insecure:// cannot go through a proxy", ErrConfig)
	}
	pu, err := parseProxyURL(p.ProxyURL)
	if err != nil {
		return nil, err
	}
	conn, err := d.DialContext(ctx, "tcp", pu.Host)
	if err != nil {
		return nil, fmt.Errorf("imap: connect to proxy %s: %w", pu.Host, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	// RFC 9110 §9.3.6: CONNECT host:port, then the tunnel.
	req := "CONNECT " + ep.addr + " HTTP/1.1\r\nHost: " + ep.addr + "\r\n"
	if pu.User != nil {
		pass, _ := pu.User.Password()
		cred := base64.StdEncoding.EncodeToString([]byte(pu.User.Username() + ":" + pass))
		req += "Proxy-Authorization: Basic " + cred + "\r\n"
	}
	req += "\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("imap: proxy %s: %w", pu.Host, err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("imap: proxy %s: CONNECT %s: %w", pu.Host, ep.addr, err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		conn.Close()
		return nil, fmt.Errorf("imap: proxy %s: CONNECT %s: %s", pu.Host, ep.addr, resp.Status)
	}
	if br.Buffered() > 0 {
		// The server spoke first (its greeting) and bufio read it already.
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

// bufferedConn is a net.Conn whose first bytes wait in a bufio.Reader.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func (s *session) notify() {
	select {
	case s.updates <- struct{}{}:
	default:
	}
}

func (s *session) logoutTimeout() time.Duration { return dur(s.p.LogoutTimeout, 5*time.Second) }

// close logs out (bounded by LogoutTimeout) and closes the connection. It
// is safe to call more than once.
func (s *session) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	if s.deadline != nil {
		s.deadline.Stop()
	}
	s.mu.Unlock()
	if s.stopCtx != nil {
		s.stopCtx()
	}
	t := time.AfterFunc(s.logoutTimeout(), func() { s.c.Close() })
	err := s.c.Logout().Wait()
	t.Stop()
	s.c.Close()
	if err != nil {
		s.p.logger().Debug("imap: logout", "server", s.ep.addr, "err", err)
	}
}
