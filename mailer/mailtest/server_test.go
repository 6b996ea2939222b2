package mailtest

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const body = "Subject: t\r\n\r\nhello\r\n.leading dot\r\n"

// dial connects a go-smtp client to srv the way its options ask.
func dial(t *testing.T, srv *Server) *smtp.Client {
	t.Helper()
	var c *smtp.Client
	var err error
	switch {
	case srv.cfg.implicitTLS:
		c, err = smtp.DialTLS(srv.Addr(), srv.ClientTLSConfig())
	case srv.cfg.startTLS:
		c, err = smtp.DialStartTLS(srv.Addr(), srv.ClientTLSConfig())
	default:
		c, err = smtp.Dial(srv.Addr())
	}
	if err != nil {
		t.Fatalf("dial %s: %v", srv, err)
	}
	c.CommandTimeout = 5 * time.Second
	c.SubmissionTimeout = 5 * time.Second
	t.Cleanup(func() { c.Close() })
	return c
}

func code(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

func TestServer_modes(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		scheme  string
		wantTLS bool
	}{
		{"plain", nil, "smtp+insecure://", false},
		{"starttls", []Option{StartTLS()}, "smtp://", true},
		{"starttls required", []Option{RequireTLS()}, "smtp://", true},
		{"implicit tls", []Option{ImplicitTLS()}, "smtps://", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(t, tt.opts...)
			if !strings.HasPrefix(srv.URL(), tt.scheme) || !strings.HasSuffix(srv.URL(), srv.Addr()) {
				t.Errorf("URL() = %q, want %s%s", srv.URL(), tt.scheme, srv.Addr())
			}
			c := dial(t, srv)
			if err := c.SendMail("a@x.test", []string{"b@x.test", "c@x.test"}, strings.NewReader(body)); err != nil {
				t.Fatalf("SendMail: %v", err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("Messages() = %d messages, want 1", len(got))
			}
			m := got[0]
			if m.From != "a@x.test" || strings.Join(m.To, ",") != "b@x.test,c@x.test" || string(m.Data) != body ||
				m.TLS != tt.wantTLS || m.Conn != 1 || m.Helo != "localhost" {
				t.Errorf("Messages()[0] = %+v, want from a@x.test to b,c, body %q, TLS %v, conn 1", m, body, tt.wantTLS)
			}
			// Messages returns a copy.
			got[0].Data[0] = 'X'
			if srv.Messages()[0].Data[0] != 'S' {
				t.Error("Messages() shares its data with the server")
			}
		})
	}
}

func TestServer_requireTLS(t *testing.T) {
	srv := NewServer(t, RequireTLS())
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("a@x.test", nil); code(err) != 530 {
		t.Errorf("MAIL without STARTTLS = %v, want 530", err)
	}
	if srv.ClientTLSConfig() == nil || NewServer(t).ClientTLSConfig() != nil {
		t.Error("ClientTLSConfig() should be set exactly for TLS servers")
	}
}

func TestServer_auth(t *testing.T) {
	tests := []struct {
		name     string
		client   sasl.Client
		wantCode int
	}{
		{"plain", sasl.NewPlainClient("", "u", "p@ss"), 0},
		{"login", sasl.NewLoginClient("u", "p@ss"), 0},
		{"plain wrong password", sasl.NewPlainClient("", "u", "nope"), 535},
		{"login wrong user", sasl.NewLoginClient("v", "p@ss"), 535},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(t, StartTLS(), RequireAuth("u", "p@ss"))
			if want := "smtp://u:p%40ss@" + srv.Addr(); srv.URL() != want {
				t.Errorf("URL() = %q, want %q", srv.URL(), want)
			}
			c := dial(t, srv)
			err := c.Auth(tt.client)
			if code(err) != tt.wantCode || (tt.wantCode == 0 && err != nil) {
				t.Fatalf("Auth() = %v, want code %d", err, tt.wantCode)
			}
			err = c.SendMail("a@x.test", []string{"b@x.test"}, strings.NewReader(body))
			if tt.wantCode != 0 {
				if code(err) != 530 {
					t.Errorf("SendMail after failed auth = %v, want 530", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SendMail: %v", err)
			}
			if m := srv.Messages(); len(m) != 1 || m[0].User != "u" {
				t.Errorf("Messages() = %+v, want one from user u", m)
			}
			if n := srv.Stats().AuthAttempts; n != 1 {
				t.Errorf("Stats().AuthAttempts = %d, want 1", n)
			}
		})
	}
}

func TestServer_replyFaults(t *testing.T) {
	tests := []struct {
		name     string
		opt      Option
		wantCode int
		stage    string // which step fails
	}{
		{"mail 451", RejectMail(451), 451, "mail"},
		{"rcpt 452", RejectRcpt(452), 452, "rcpt"},
		{"rcpt for one address", RejectRcptFor("C@x.test", 550), 550, "rcpt2"},
		{"data end 554", RejectData(554), 554, "data"},
		{"data end 552 enhanced", WithFault(Fault{Stage: StageDataEnd, Code: 552, Enhanced: "5.3.4", Text: "too big"}), 552, "data"},
		{"auth 454", WithFault(Fault{Stage: StageAuth, Code: 454}), 454, "auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(t, tt.opt)
			c := dial(t, srv)
			var err error
			var stage string
			step := func(name string, fn func() error) {
				if err == nil {
					err, stage = fn(), name
				}
			}
			if tt.stage == "auth" {
				srv.cfg.user, srv.cfg.pass = "u", "p"
				step("auth", func() error { return c.Auth(sasl.NewPlainClient("", "u", "p")) })
			}
			step("mail", func() error { return c.Mail("a@x.test", nil) })
			step("rcpt", func() error { return c.Rcpt("b@x.test", nil) })
			step("rcpt2", func() error { return c.Rcpt("c@x.test", nil) })
			step("data", func() error {
				w, err := c.Data()
				if err != nil {
					return err
				}
				io.WriteString(w, body)
				return w.Close()
			})
			if code(err) != tt.wantCode || stage != tt.stage {
				t.Fatalf("failed at %s with %v, want %s with %d", stage, err, tt.stage, tt.wantCode)
			}
			if len(srv.Messages()) != 0 {
				t.Errorf("a rejected message was recorded")
			}
			// The connection stays usable.
			if err := c.Reset(); err != nil {
				t.Errorf("RSET after the fault: %v", err)
			}
			if srv.Stats().Resets != 1 {
				t.Errorf("Stats().Resets = %d, want 1", srv.Stats().Resets)
			}
		})
	}
}

func TestServer_greetingFaults(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []Option
	}{
		{"plain", nil},
		{"implicit tls", []Option{ImplicitTLS()}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(t, append(tt.opts, RejectGreeting(421))...)
			var conn net.Conn
			var err error
			if srv.cfg.implicitTLS {
				conn, err = tls.Dial("tcp", srv.Addr(), srv.ClientTLSConfig())
			} else {
				conn, err = net.Dial("tcp", srv.Addr())
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			got, _ := io.ReadAll(conn)
			if want := "421 4.3.2 mailtest: injected fault\r\n"; string(got) != want {
				t.Errorf("greeting = %q, want %q and close", got, want)
			}
		})
	}
}

func TestServer_times(t *testing.T) {
	srv := NewServer(t, WithFault(Fault{Stage: StageMail, Code: 451, Times: 2}))
	c := dial(t, srv)
	var codes []int
	for range 3 {
		codes = append(codes, code(c.Mail("a@x.test", nil)))
	}
	if codes[0] != 451 || codes[1] != 451 || codes[2] != 0 {
		t.Errorf("MAIL replies = %v, want [451 451 0]", codes)
	}
}

func TestServer_dropAndStall(t *testing.T) {
	t.Run("drop after data records", func(t *testing.T) {
		srv := NewServer(t, DropAfterData())
		c := dial(t, srv)
		err := c.SendMail("a@x.test", []string{"b@x.test"}, strings.NewReader(body))
		if err == nil || code(err) != 0 {
			t.Errorf("SendMail = %v, want a connection error", err)
		}
		if len(srv.Messages()) != 1 {
			t.Errorf("Messages() = %d, want the message recorded", len(srv.Messages()))
		}
	})
	t.Run("drop mid data", func(t *testing.T) {
		srv := NewServer(t, DropMidData(3))
		c := dial(t, srv)
		err := c.SendMail("a@x.test", []string{"b@x.test"}, strings.NewReader(body))
		if err == nil || code(err) != 0 || len(srv.Messages()) != 0 {
			t.Errorf("SendMail = %v with %d recorded, want a connection error and none", err, len(srv.Messages()))
		}
	})
	t.Run("accepted then 421", func(t *testing.T) {
		srv := NewServer(t, WithFault(Fault{Stage: StageAccepted, Code: 421, Times: 1}))
		c := dial(t, srv)
		if err := c.SendMail("a@x.test", []string{"b@x.test"}, strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
		if err := c.Mail("a@x.test", nil); code(err) != 421 {
			t.Errorf("MAIL on the closed connection = %v, want 421", err)
		}
		c2 := dial(t, srv)
		if err := c2.SendMail("a@x.test", []string{"b@x.test"}, strings.NewReader(body)); err != nil {
			t.Errorf("second connection: %v", err)
		}
		if st := srv.Stats(); st.Connections != 2 || st.Messages != 2 {
			t.Errorf("Stats() = %+v, want 2 connections and 2 messages", st)
		}
	})
	t.Run("stall released by close", func(t *testing.T) {
		srv := NewServer(t, StallAt(StageRcpt))
		c := dial(t, srv)
		c.CommandTimeout = time.Minute
		if err := c.Mail("a@x.test", nil); err != nil {
			t.Fatal(err)
		}
		errc := make(chan error, 1)
		go func() { errc <- c.Rcpt("b@x.test", nil) }()
		srv.Close()
		if err := <-errc; err == nil {
			t.Error("RCPT on a stalled server returned no error after Close")
		}
	})
}

func TestServer_WaitMessages(t *testing.T) {
	var seen []string
	srv := NewServer(t, OnMessage(func(m Message) { seen = append(seen, m.From) }), DiscardMessages())
	go func() {
		c, err := smtp.Dial(srv.Addr())
		if err != nil {
			return
		}
		defer c.Close()
		c.SendMail("a@x.test", []string{"b@x.test"}, strings.NewReader(body))
		c.SendMail("c@x.test", []string{"b@x.test"}, strings.NewReader(body))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := srv.WaitMessages(ctx, 2)
	if err != nil {
		t.Fatalf("WaitMessages: %v", err)
	}
	if len(got) != 0 || srv.Stats().Messages != 2 || strings.Join(seen, ",") != "a@x.test,c@x.test" {
		t.Errorf("kept %d, counted %d, OnMessage saw %v; want 0, 2, [a c]", len(got), srv.Stats().Messages, seen)
	}
	short, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := srv.WaitMessages(short, 3); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitMessages(cancelled) = %v, want context.Canceled", err)
	}
}

func TestListen_badAddr(t *testing.T) {
	if _, err := Listen("256.0.0.1:0"); err == nil || !strings.HasPrefix(err.Error(), "mailtest: ") {
		t.Errorf("Listen(bad) = %v, want a mailtest error", err)
	}
}

func TestStage_String(t *testing.T) {
	if StageRcpt.String() != "rcpt" || Stage(99).String() != "Stage(99)" || Stall.String() != "stall" {
		t.Error("String() names are wrong")
	}
}

func TestServer_IdleTimeout(t *testing.T) {
	srv := NewServer(t, IdleTimeout(50*time.Millisecond))
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	got, _ := io.ReadAll(conn) // the greeting, then the idle reply and close
	if !strings.Contains(string(got), "\r\n421 4.4.2 ") {
		t.Errorf("server sent %q, want a 421 4.4.2 after the greeting", got)
	}
}
