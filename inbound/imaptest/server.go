// Package imaptest runs an in-process IMAP server for tests, as
// net/http/httptest does for HTTP, so that an application can test its
// [imap.Poller] handlers end to end: deliver the replies, bounces and
// automatic answers a partner's mail system would (package
// inbound/replytest builds them), run the Poller against [Server.URL],
// and look at what was filed where.
//
// A [Server] is go-imap's imapserver (RFC 3501, RFC 9051) over an
// in-memory store (imapmemserver), on 127.0.0.1 with a random port, with
// one user ([User], [Password]) and an INBOX. [Server.Deliver] pre-fills a
// mailbox; [Server.Messages], [Server.Flags] and [Server.Mailboxes] show
// what is there afterwards. [NewServer] closes it when the test ends.
//
// It misbehaves on purpose where a poller must cope: which capabilities are
// advertised (MOVE, IDLE, UIDPLUS), a MOVE that fails, implicit TLS or
// STARTTLS with a fresh self-signed certificate ([Server.ClientTLSConfig]
// trusts it), dropped connections ([Server.DropConnections], from
// [Server.OnFetch] to cut a fetch), a changed UIDVALIDITY, a deleted
// mailbox. It records what clients did ([Stats]: MOVE, COPY, EXPUNGE,
// LOGOUT, IDLE, and any command that addressed messages by sequence
// number) so that tests can check the protocol, not just the result.
//
// It is not a mail server: it keeps every message in memory, knows one
// user, and listens on loopback only.
//
// [imap.Poller]: https://pkg.go.dev/github.com/mailtrail/mailtrail/inbound/imap#Poller
package imaptest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/mailtrail/mailtrail/internal/testcert"
)

// The one user every Server has.
const (
	User     = "app"
	Password = "secret pass@:/" // needs percent-encoding in a URL on purpose
)

// TLSMode says how a Server offers TLS.
type TLSMode int

const (
	// Plain offers no TLS at all: only imap+insecure:// clients can log in.
	Plain TLSMode = iota
	// StartTLS advertises STARTTLS on a plain port.
	StartTLS
	// Implicit speaks TLS from the first byte (imaps://).
	Implicit
)

// Options configures a Server. A nil *Options is the zero value: a plain
// IMAP4rev2 server (MOVE, UIDPLUS, IDLE) with an empty INBOX.
type Options struct {
	TLS TLSMode

	NoMove    bool // do not advertise MOVE (COPY + EXPUNGE only)
	NoIdle    bool // do not advertise IDLE (not with TLS StartTLS)
	NoUIDPlus bool // do not advertise UIDPLUS (so no UID EXPUNGE); implies IMAP4rev1

	// BrokenMove advertises MOVE but answers every MOVE with NO, as some
	// servers' half-working MOVE does in effect.
	BrokenMove bool

	// Mailboxes are created, empty, besides INBOX.
	Mailboxes []string
}

// Server is a running in-process IMAP server. Close it, or let the
// testing.TB given to [NewServer] close it at the end of the test.
type Server struct {
	t     testing.TB
	opts  Options
	mem   *imapmemserver.Server
	user  *imapmemserver.User
	srv   *imapserver.Server
	ln    net.Listener
	roots *x509.CertPool

	mu        sync.Mutex
	conns     map[net.Conn]struct{}
	stats     Stats
	onFetch   func()
	onIdle    func()
	change    chan struct{} // closed and replaced on every Deliver
	closeOnce sync.Once
	done      chan struct{}
}

// Stats counts what clients did.
type Stats struct {
	Logins      int // successful logins
	Moves       int // MOVE and UID MOVE commands
	Copies      int // COPY and UID COPY commands
	Expunges    int // EXPUNGE and UID EXPUNGE commands
	UIDExpunges int // UID EXPUNGE commands only
	Creates     int // CREATE commands that made a mailbox
	Logouts     int // LOGOUT commands
	SeqNumUses  int // commands that addressed messages by sequence number
	Idles       int // IDLE commands
	Conns       int // connections accepted
}

// NewServer starts a server on 127.0.0.1 port 0 and closes it when the test
// ends. With a nil t (in an Example), failures panic and the caller must
// Close the server.
func NewServer(t testing.TB, opts *Options) *Server {
	if t != nil {
		t.Helper()
	}
	s := &Server{t: t, conns: make(map[net.Conn]struct{}), done: make(chan struct{}), change: make(chan struct{})}
	if opts != nil {
		s.opts = *opts
	}
	s.mem = imapmemserver.New()
	s.user = imapmemserver.NewUser(User, Password)
	s.mem.AddUser(s.user)
	for _, name := range append([]string{"INBOX"}, s.opts.Mailboxes...) {
		if err := s.user.Create(name, nil); err != nil {
			s.fatalf("imaptest: create %s: %v", name, err)
		}
	}
	tlsConfig := s.newTLSConfig()
	s.srv = imapserver.New(s.serverOptions(tlsConfig))
	s.listen(tlsConfig)
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(s.ln)
	}()
	if t != nil {
		t.Cleanup(s.Close)
	}
	return s
}

// newTLSConfig makes the server's certificate and keeps its roots for
// ClientTLSConfig; it returns nil in Plain mode.
func (s *Server) newTLSConfig() *tls.Config {
	s.helper()
	if s.opts.TLS == Plain {
		return nil
	}
	cert, roots, err := testcert.New("imaptest")
	if err != nil {
		s.fatalf("imaptest: %v", err)
	}
	s.roots = roots
	return &tls.Config{Certificates: []tls.Certificate{cert}}
}

// serverOptions gives the IMAP server the capabilities that s.opts ask
// for and a session per connection on the in-memory store.
func (s *Server) serverOptions(tlsConfig *tls.Config) *imapserver.Options {
	caps := imap.CapSet{imap.CapIMAP4rev1: {}}
	if !s.opts.NoUIDPlus {
		caps[imap.CapUIDPlus] = struct{}{}
	}
	if !s.opts.NoMove {
		caps[imap.CapMove] = struct{}{}
	}
	srvOpts := &imapserver.Options{
		NewSession: func(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &session{srv: s, conn: c, inner: s.mem.NewSession()}, nil, nil
		},
		Caps:         caps,
		Logger:       discardLogger{},
		InsecureAuth: s.opts.TLS == Plain,
		DebugWriter:  &commandScanner{srv: s},
	}
	if s.opts.TLS == StartTLS {
		srvOpts.TLSConfig = tlsConfig
	}
	return srvOpts
}

// listen opens s.ln on a loopback port: TLS from the first byte in
// Implicit mode, IDLE hidden when NoIdle.
func (s *Server) listen(tlsConfig *tls.Config) {
	s.helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.fatalf("imaptest: listen: %v", err)
	}
	s.ln = &trackingListener{Listener: ln, srv: s}
	if s.opts.TLS == Implicit {
		s.ln = tls.NewListener(s.ln, tlsConfig)
	}
	if s.opts.NoIdle && s.opts.TLS != StartTLS {
		// imapserver offers IDLE to every IMAP4rev1 client; hide it in
		// the plain text of the conversation.
		s.ln = &capFilterListener{Listener: s.ln, hide: [][]byte{[]byte(" IDLE")}}
	}
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is an IMAP URL for the server's user with the scheme that matches the
// server's TLS mode: imap+insecure://, imap:// (STARTTLS) or imaps://.
func (s *Server) URL() string {
	scheme := "imap+insecure"
	switch s.opts.TLS {
	case StartTLS:
		scheme = "imap"
	case Implicit:
		scheme = "imaps"
	}
	return URL(scheme, User, Password, s.Addr())
}

// ClientTLSConfig trusts the server's self-signed certificate. It is nil
// for a Plain server.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.roots == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.roots, ServerName: "127.0.0.1"}
}

// Deliver appends a message to mailbox (INBOX when empty) and returns its UID.
func (s *Server) Deliver(mailbox string, raw []byte) imap.UID {
	s.helper()
	if mailbox == "" {
		mailbox = "INBOX"
	}
	data, err := s.user.Append(mailbox, literal{bytes.NewReader(raw)}, &imap.AppendOptions{})
	if err != nil {
		s.fatalf("imaptest: deliver to %s: %v", mailbox, err)
	}
	s.changed()
	return data.UID
}

// changes returns a channel closed at the next change.
func (s *Server) changes() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.change
}

// changed wakes every IDLE.
func (s *Server) changed() {
	s.mu.Lock()
	close(s.change)
	s.change = make(chan struct{})
	s.mu.Unlock()
}

// Close stops the server and closes every connection.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		_ = s.srv.Close()
		<-s.done
		s.DropConnections()
	})
}

func (s *Server) helper() {
	if s.t != nil {
		s.t.Helper()
	}
}

func (s *Server) fatalf(format string, args ...any) {
	if s.t == nil {
		panic(fmt.Sprintf(format, args...))
	}
	s.t.Helper()
	s.t.Fatalf(format, args...)
}

func (s *Server) count(f func(st *Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// literal is an imap.LiteralReader over bytes.
type literal struct{ *bytes.Reader }

var errBrokenMove = &imap.Error{
	Type: imap.StatusResponseTypeNo,
	Text: "MOVE failed (imaptest BrokenMove)",
}

var _ io.Reader = literal{}
