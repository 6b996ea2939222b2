// Package mailtest provides an in-process SMTP server for tests, as
// net/http/httptest does for HTTP.
//
// NewServer starts a real SMTP server (github.com/emersion/go-smtp, RFC 5321)
// on 127.0.0.1 with a random port, closed when the test ends. It records
// every envelope and raw message it accepts; Messages and WaitMessages give
// them back. Options make it offer or require STARTTLS (RFC 3207) or speak
// implicit TLS (RFC 8314) with a fresh self-signed certificate that
// ClientTLSConfig trusts, require AUTH PLAIN or LOGIN (RFC 4954), and
// misbehave on purpose: reply a given code at a given stage, drop the
// connection in the middle of the body or after the final ".", stall, or
// do so only the first N times (see Fault).
//
// Threads and AssertThreads check that the messages the server received
// thread in real mail clients: grouped by resource, one References root
// each, consistent In-Reply-To and References chains, subject tags once,
// Outlook's Thread-Index consistent. The replies a partner's client would
// send back are built by package inbound/replytest.
//
// Listen starts the same server outside tests, on any address, for a
// development sink.
//
// It is not a mail server: it delivers nothing, keeps messages in memory,
// and does not check DKIM, SPF or the message's syntax. Faults at the DATA
// command itself (StageDataCommand) act only on commands sent in plaintext
// or over implicit TLS, not after STARTTLS; BDAT (RFC 3030) has no faults of
// its own.
package mailtest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/mailtrail/mailtrail/internal/testcert"
)

// Message is one message the server accepted.
type Message struct {
	From string   // MAIL FROM address
	To   []string // RCPT TO addresses, in order
	Data []byte   // the raw message as received, CRLF line endings, dots unstuffed
	Conn int      // which connection brought it, counting from 1 in accept order
	TLS  bool     // whether the connection was encrypted
	User string   // the authenticated user name, or ""
	Helo string   // the name the client gave in EHLO or HELO
}

// Stats counts what the server has seen.
type Stats struct {
	Connections  int // connections accepted
	AuthAttempts int // AUTH commands received
	Resets       int // RSET commands and repeated EHLOs (go-smtp reports both alike)
	Messages     int // messages accepted, kept or not
	Faults       int // faults that acted (counted as they act, before a Stall blocks)
}

// Server is an SMTP server running in the process. Its methods are safe for
// concurrent use.
type Server struct {
	cfg       config
	smtp      *smtp.Server
	ln        net.Listener
	tlsConfig *tls.Config // server side; nil without TLS
	roots     *x509.CertPool
	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup

	mu       sync.Mutex
	msgs     []Message
	stats    Stats
	conns    map[net.Conn]struct{}
	changed  chan struct{} // closed and replaced when stats change
	closeErr error
}

// NewServer starts a server on 127.0.0.1 with a random port and closes it
// when the test ends. It fails the test if the server cannot start.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Listen starts a server on addr (host:port; port 0 picks one). Close stops it.
func Listen(addr string, opts ...Option) (*Server, error) {
	s := &Server{
		done:    make(chan struct{}),
		conns:   make(map[net.Conn]struct{}),
		changed: make(chan struct{}),
	}
	for _, o := range opts {
		o(&s.cfg)
	}
	if s.cfg.startTLS || s.cfg.implicitTLS {
		cert, roots, err := testcert.New("mailtest")
		if err != nil {
			return nil, fmt.Errorf("mailtest: %w", err)
		}
		s.tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.roots = roots
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mailtest: %w", err)
	}
	s.ln = ln

	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "mailtest.localhost"
	srv.AllowInsecureAuth = true
	srv.MaxRecipients = 1000
	srv.ReadTimeout = s.cfg.idle
	srv.MaxMessageBytes = s.cfg.maxBytes
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if s.cfg.startTLS {
		srv.TLSConfig = s.tlsConfig
	}
	s.smtp = srv

	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		srv.Serve(&listener{Listener: ln, srv: s})
	}()
	return s, nil
}

// Addr returns the server's host:port, such as "127.0.0.1:40123".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL returns an SMTP URL for the server: smtp+insecure://host:port for a
// plain server, smtp:// when it offers STARTTLS, smtps:// for implicit TLS,
// with the user name and password of RequireAuth. A TLS client must trust
// ClientTLSConfig's roots.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp+insecure", Host: s.Addr()}
	switch {
	case s.cfg.implicitTLS:
		u.Scheme = "smtps"
	case s.cfg.startTLS:
		u.Scheme = "smtp"
	}
	if s.cfg.user != "" {
		u.User = url.UserPassword(s.cfg.user, s.cfg.pass)
	}
	return u.String()
}

// ClientTLSConfig returns a new TLS client configuration that trusts the
// server's certificate (valid for 127.0.0.1, ::1 and localhost). It is nil
// for a server without TLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.roots == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.roots, MinVersion: tls.VersionTLS12}
}

// Messages returns a copy of the messages accepted so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = m.clone()
	}
	return out
}

// WaitMessages waits until the server has accepted at least n messages and
// returns them, or returns ctx's error with those accepted so far.
func (s *Server) WaitMessages(ctx context.Context, n int) ([]Message, error) {
	st, err := s.Wait(ctx, func(st Stats) bool { return st.Messages >= n })
	if err != nil {
		return s.Messages(), fmt.Errorf("mailtest: %d of %d messages: %w", st.Messages, n, err)
	}
	return s.Messages(), nil
}

// ErrClosed is returned by Wait and WaitMessages when the server closes
// before the awaited state.
var ErrClosed = errors.New("mailtest: server closed")

// Wait waits until cond holds for the server's counters, such as "a fault
// has acted" or "two connections came", and returns them. It returns ctx's
// error, or ErrClosed, if that happens first.
func (s *Server) Wait(ctx context.Context, cond func(Stats) bool) (Stats, error) {
	for {
		s.mu.Lock()
		st, changed := s.stats, s.changed
		s.mu.Unlock()
		if cond(st) {
			return st, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return st, ctx.Err()
		case <-s.done:
			return st, ErrClosed
		}
	}
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Close stops the server: it closes the listener and every connection,
// releases stalled ones, and waits for its own goroutines.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		// go-smtp knows the listener only once Serve has run; close it here too.
		err := s.ln.Close()
		s.smtp.Close()
		s.mu.Lock()
		conns := make([]net.Conn, 0, len(s.conns))
		for c := range s.conns {
			conns = append(conns, c)
		}
		s.closeErr = err
		s.mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
		s.wg.Wait()
	})
	return s.closeErr
}

// update changes the counters under the lock and wakes waiters.
func (s *Server) update(fn func(*Stats)) {
	s.mu.Lock()
	fn(&s.stats)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

func (s *Server) record(m Message) {
	if s.cfg.onMessage != nil {
		s.cfg.onMessage(m.clone())
	}
	s.mu.Lock()
	if !s.cfg.discard {
		s.msgs = append(s.msgs, m)
	}
	s.stats.Messages++
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// match returns the first fault that applies at stage, or nil.
func (s *Server) match(stage Stage, rcpt string) *fault {
	for _, f := range s.cfg.faults {
		if f.take(stage, rcpt) {
			return f
		}
	}
	return nil
}

// stall blocks until the server closes.
func (s *Server) stall() { <-s.done }

func (m Message) clone() Message {
	m.To = append([]string(nil), m.To...)
	m.Data = append([]byte(nil), m.Data...)
	return m
}

// String describes the server for logs.
func (s *Server) String() string {
	mode := "plain"
	switch {
	case s.cfg.implicitTLS:
		mode = "implicit-tls"
	case s.cfg.requireTLS:
		mode = "starttls-required"
	case s.cfg.startTLS:
		mode = "starttls"
	}
	return "mailtest.Server(" + s.Addr() + ", " + mode + ", " + strconv.Itoa(len(s.cfg.faults)) + " faults)"
}
