package mailer

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

const testMsg = "From: app@x.test\r\nTo: b@x.test\r\nSubject: hello\r\nMessage-ID: <1@x.test>\r\n\r\nbody\r\n.dot line\r\n"

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testTransport makes a transport for srv with short timeouts; edit may
// change the config. The returned buffer holds the transport's log.
func testTransport(t *testing.T, srv *mailtest.Server, edit func(*SMTPConfig)) (*transport, *syncBuffer) {
	t.Helper()
	cfg, err := ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatalf("ParseSMTPURL(%q): %v", srv.URL(), err)
	}
	cfg.TLSConfig = srv.ClientTLSConfig()
	cfg.DialTimeout, cfg.CommandTimeout, cfg.DataTimeout = 5*time.Second, 5*time.Second, 10*time.Second
	if edit != nil {
		edit(cfg)
	}
	logs := &syncBuffer{}
	tr := newTransport(cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { tr.close() })
	return tr, logs
}

func send(tr *transport, to ...string) error {
	return tr.send(context.Background(), "app@x.test", to, []byte(testMsg))
}

// asSendError fails the test unless err is a *SendError.
func asSendError(t *testing.T, err error) *SendError {
	t.Helper()
	var se *SendError
	if !errors.As(err, &se) {
		t.Fatalf("send() = %v (%T), want a *SendError", err, err)
	}
	return se
}

// wantClass checks the error's class sentinels: exactly the ones in want
// among ErrTransient, ErrPermanent, ErrUnknownOutcome, ErrTimeout, ErrTLS, ErrAuth.
func wantClass(t *testing.T, err error, want ...error) {
	t.Helper()
	all := []error{ErrTransient, ErrPermanent, ErrUnknownOutcome, ErrTimeout, ErrTLS, ErrAuth}
	names := map[error]string{ErrTransient: "ErrTransient", ErrPermanent: "ErrPermanent", ErrUnknownOutcome: "ErrUnknownOutcome",
		ErrTimeout: "ErrTimeout", ErrTLS: "ErrTLS", ErrAuth: "ErrAuth"}
	for _, s := range all {
		wanted := false
		for _, w := range want {
			wanted = wanted || w == s
		}
		if got := errors.Is(err, s); got != wanted {
			t.Errorf("errors.Is(%v, %s) = %v, want %v", err, names[s], got, wanted)
		}
	}
}

func TestTransport_send(t *testing.T) {
	tests := []struct {
		name     string
		opts     []mailtest.Option
		edit     func(*SMTPConfig)
		wantTLS  bool
		wantUser string
	}{
		{"plain", nil, nil, false, ""},
		{"starttls", []mailtest.Option{mailtest.RequireTLS()}, nil, true, ""},
		{"implicit tls", []mailtest.Option{mailtest.ImplicitTLS()}, nil, true, ""},
		{"auth plain over starttls", []mailtest.Option{mailtest.RequireTLS(), mailtest.RequireAuth("u", "p@ss:w")}, nil, true, "u"},
		{"auth login over starttls", []mailtest.Option{mailtest.RequireTLS(), mailtest.RequireAuth("u", "p@ss:w")},
			func(c *SMTPConfig) { c.Auth = "login" }, true, "u"},
		{"auth plain over implicit tls", []mailtest.Option{mailtest.ImplicitTLS(), mailtest.RequireAuth("u", "pw")}, nil, true, "u"},
		{"auth on insecure local relay", []mailtest.Option{mailtest.RequireAuth("u", "pw")}, nil, false, "u"},
		{"local name", nil, func(c *SMTPConfig) { c.LocalName = "app.x.test" }, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tt.opts...)
			tr, logs := testTransport(t, srv, tt.edit)
			if err := send(tr, "b@x.test", "c@x.test"); err != nil {
				t.Fatalf("send() = %v", err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("server got %d messages, want 1", len(got))
			}
			m := got[0]
			wantHelo := "localhost"
			if tt.name == "local name" {
				wantHelo = "app.x.test"
			}
			if m.From != "app@x.test" || strings.Join(m.To, " ") != "b@x.test c@x.test" || string(m.Data) != testMsg ||
				m.TLS != tt.wantTLS || m.User != tt.wantUser || m.Helo != wantHelo {
				t.Errorf("server got %+v, want the message from app@x.test to b, c with TLS=%v user=%q helo=%q",
					m, tt.wantTLS, tt.wantUser, wantHelo)
			}
			if strings.Contains(logs.String(), "p@ss") {
				t.Errorf("the log shows the password:\n%s", logs)
			}
		})
	}
}

func TestTransport_tlsFailures(t *testing.T) {
	tests := []struct {
		name   string
		opts   []mailtest.Option
		edit   func(*SMTPConfig)
		wantOp string
		x509   bool
	}{
		{"self-signed certificate under starttls", []mailtest.Option{mailtest.StartTLS(), mailtest.RequireAuth("u", "pw")},
			func(c *SMTPConfig) { c.TLSConfig = nil }, OpTLS, true},
		{"self-signed certificate under implicit tls", []mailtest.Option{mailtest.ImplicitTLS(), mailtest.RequireAuth("u", "pw")},
			func(c *SMTPConfig) { c.TLSConfig = nil }, OpTLS, true},
		{"wrong host name", []mailtest.Option{mailtest.StartTLS(), mailtest.RequireAuth("u", "pw")},
			func(c *SMTPConfig) { c.TLSConfig.ServerName = "mail.x.test" }, OpTLS, true},
		{"starttls missing from ehlo", []mailtest.Option{mailtest.RequireAuth("u", "pw")},
			func(c *SMTPConfig) { c.Security = SecurityStartTLS }, OpStartTLS, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tt.opts...)
			tr, _ := testTransport(t, srv, tt.edit)
			err := send(tr, "b@x.test")
			se := asSendError(t, err)
			wantClass(t, err, ErrPermanent, ErrTLS)
			if se.Op != tt.wantOp {
				t.Errorf("Op = %q, want %q", se.Op, tt.wantOp)
			}
			if tt.x509 {
				var ua x509.UnknownAuthorityError
				var hn x509.HostnameError
				if !errors.As(err, &ua) && !errors.As(err, &hn) {
					t.Errorf("send() = %v, want it to wrap the x509 reason", err)
				}
				if !strings.Contains(err.Error(), "x509") {
					t.Errorf("send() = %q, want the x509 reason in the text", err)
				}
			}
			st := srv.Stats()
			if st.AuthAttempts != 0 || st.Messages != 0 {
				t.Errorf("server saw %d AUTH and %d messages, want none: no plaintext fallback", st.AuthAttempts, st.Messages)
			}
		})
	}
}

func TestTransport_auth(t *testing.T) {
	const secret = "wr0ng-s3cret@x"
	t.Run("wrong password", func(t *testing.T) {
		for _, mech := range []string{"plain", "login"} {
			t.Run(mech, func(t *testing.T) {
				srv := mailtest.NewServer(t, mailtest.RequireTLS(), mailtest.RequireAuth("u", "right"))
				tr, logs := testTransport(t, srv, func(c *SMTPConfig) { c.Password, c.Auth = secret, mech })
				err := send(tr, "b@x.test")
				se := asSendError(t, err)
				wantClass(t, err, ErrPermanent, ErrAuth)
				if se.Op != OpAuth || se.Code != 535 || se.Enhanced != "5.7.8" || se.Temporary() {
					t.Errorf("send() = %+v, want auth 535 5.7.8, not temporary", se)
				}
				tr.close()
				if strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), secret) ||
					strings.Contains(logs.String(), secret) {
					t.Errorf("the password shows in the error %q or the log %q", err, logs)
				}
				if st := srv.Stats(); st.AuthAttempts != 1 {
					t.Errorf("server saw %d AUTH attempts, want 1 (not retried)", st.AuthAttempts)
				}
			})
		}
	})
	t.Run("server offers no auth", func(t *testing.T) {
		srv := mailtest.NewServer(t, mailtest.RequireTLS())
		tr, _ := testTransport(t, srv, func(c *SMTPConfig) { c.Username, c.Password = "u", "pw" })
		err := send(tr, "b@x.test")
		wantClass(t, err, ErrPermanent, ErrAuth)
	})
	t.Run("temporary auth failure", func(t *testing.T) {
		srv := mailtest.NewServer(t, mailtest.RequireAuth("u", "pw"),
			mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageAuth, Code: 454}))
		tr, _ := testTransport(t, srv, nil)
		err := send(tr, "b@x.test")
		wantClass(t, err, ErrTransient)
	})
}

func TestTransport_batchOneConnection(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.RequireTLS(), mailtest.RequireAuth("u", "pw"))
	tr, _ := testTransport(t, srv, nil)
	const n = 25
	for i := range n {
		if err := tr.send(context.Background(), "app@x.test", []string{fmt.Sprintf("r%d@x.test", i)}, []byte(testMsg)); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	tr.close()
	got := srv.Messages()
	if len(got) != n {
		t.Fatalf("server got %d messages, want %d", len(got), n)
	}
	for i, m := range got {
		if m.To[0] != fmt.Sprintf("r%d@x.test", i) || m.Conn != 1 {
			t.Errorf("message %d went to %v over connection %d, want r%d@x.test over 1", i, m.To, m.Conn, i)
		}
	}
	if st := srv.Stats(); st.Connections != 1 || st.AuthAttempts != 1 || st.Resets != 0 {
		t.Errorf("Stats() = %+v, want 1 connection, 1 AUTH, no RSET", st)
	}
}

func TestTransport_concurrent(t *testing.T) {
	srv := mailtest.NewServer(t)
	tr, _ := testTransport(t, srv, func(c *SMTPConfig) { c.MaxConns = 3 })
	const n = 60
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- tr.send(context.Background(), "app@x.test", []string{fmt.Sprintf("r%d@x.test", i)}, []byte(testMsg))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("send() = %v", err)
		}
	}
	seen := map[string]int{}
	for _, m := range srv.Messages() {
		seen[m.To[0]]++
	}
	if len(seen) != n {
		t.Errorf("server got %d distinct recipients, want %d", len(seen), n)
	}
	for r, c := range seen {
		if c != 1 {
			t.Errorf("%s got %d copies, want 1", r, c)
		}
	}
	if c := srv.Stats().Connections; c < 1 || c > 3 {
		t.Errorf("server saw %d connections, want 1 to 3", c)
	}
}

func TestTransport_badEnvelope(t *testing.T) {
	srv := mailtest.NewServer(t)
	tr, _ := testTransport(t, srv, nil)
	tests := []struct {
		name string
		from string
		to   []string
	}{
		{"no recipients", "app@x.test", nil},
		{"empty recipient", "app@x.test", []string{""}},
		{"esmtp parameter injection", "app@x.test", []string{"a@b> ORCPT=rfc822;c@d"}},
		{"crlf in recipient", "app@x.test", []string{"a@b\r\nRCPT TO:<x@y>"}},
		{"crlf in sender", "app@x.test\r\nRSET", []string{"b@x.test"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tr.send(context.Background(), tt.from, tt.to, []byte(testMsg))
			wantClass(t, err, ErrPermanent)
		})
	}
	if st := srv.Stats(); st.Connections != 0 {
		t.Errorf("server saw %d connections, want none for bad envelopes", st.Connections)
	}
}

func TestTransport_closed(t *testing.T) {
	srv := mailtest.NewServer(t)
	tr, _ := testTransport(t, srv, nil)
	tr.close()
	err := send(tr, "b@x.test")
	if !errors.Is(err, errTransportClosed) {
		t.Errorf("send() after close = %v, want errTransportClosed", err)
	}
}

func TestTransport_badConfig(t *testing.T) {
	tr := newTransport(&SMTPConfig{Host: "h.test", Auth: "cram-md5"}, nil)
	if err := send(tr, "b@x.test"); !errors.Is(err, ErrPermanent) || !strings.Contains(err.Error(), "cram-md5") {
		t.Errorf("send() with a bad config = %v, want a permanent error naming it", err)
	}
	if err := send(newTransport(nil, nil), "b@x.test"); !errors.Is(err, ErrPermanent) {
		t.Errorf("send() with a nil config = %v, want a permanent error", err)
	}
}

// bigBody is a message larger than loopback socket buffers, so that the
// client is still writing it when the server stops reading.
func bigBody() []byte {
	var b bytes.Buffer
	b.WriteString("Subject: big\r\n\r\n")
	line := strings.Repeat("0123456789", 7) + "\r\n"
	for b.Len() < 16<<20 {
		b.WriteString(line)
	}
	return b.Bytes()
}
