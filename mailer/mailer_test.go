package mailer

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// testTemplates is the template set of the Send tests.
var testTemplates = fstest.MapFS{
	"vehicle-check.md": {Data: []byte("---\nsubject: Vehicle check {{vehicle.plate_number}}\n---\n" +
		"Dear partner,\n\nPlease check vehicle **{{vehicle.plate_number}}** located {{vehicle.address}}.\n\nKind regards,\n")},
	"vehicle-check.fr.md": {Data: []byte("---\nsubject: Contrôle du véhicule {{vehicle.plate_number}}\n---\n" +
		"Bonjour,\n\nMerci de contrôler le véhicule **{{vehicle.plate_number}}** situé {{vehicle.address}}.\n")},
	"injection.md": {Data: []byte("---\nsubject: Hello {{name}}\n---\nHi.\n")},
}

var testData = map[string]any{"vehicle": map[string]any{"plate_number": "AB-123-CD", "address": "3 rue de la Paix, Paris"}}

func testMessage() *Message {
	return &Message{
		Template: "vehicle-check",
		To:       []string{"Partner <partner@example.net>"},
		Cc:       []string{"ops@example.org"},
		Bcc:      []string{"archive@example.com"},
		Resource: "WO-42",
		Data:     testData,
	}
}

// smtpMailer returns a Mailer sending to srv.
func smtpMailer(t *testing.T, srv *mailtest.Server, edit func(*Config)) *Mailer {
	t.Helper()
	smtp, err := ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	smtp.TLSConfig = srv.ClientTLSConfig()
	return newTestMailer(t, func(c *Config) {
		c.Render.Templates = testTemplates
		c.Transport.SMTP = smtp
		if edit != nil {
			edit(c)
		}
	})
}

func TestMailer_Send_smtp(t *testing.T) {
	tests := []struct {
		name    string
		opts    []mailtest.Option
		auth    string
		wantTLS bool
	}{
		{"plain", nil, "", false},
		{"starttls", []mailtest.Option{mailtest.RequireTLS()}, "", true},
		{"implicit tls", []mailtest.Option{mailtest.ImplicitTLS()}, "", true},
		{"auth plain", []mailtest.Option{mailtest.RequireTLS(), mailtest.RequireAuth("fleet", "s3cret")}, "plain", true},
		{"auth login", []mailtest.Option{mailtest.RequireTLS(), mailtest.RequireAuth("fleet", "s3cret")}, "login", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tc.opts...)
			m := smtpMailer(t, srv, func(c *Config) { c.Transport.SMTP.Auth = tc.auth })
			env, err := m.Render(context.Background(), testMessage())
			if err != nil {
				t.Fatalf("Render() = %v", err)
			}
			rc, err := m.Send(context.Background(), testMessage())
			if err != nil {
				t.Fatalf("Send() = %v", err)
			}
			if rc.Resource != "WO-42" || rc.MessageID != env.MessageID || rc.Path != "" {
				t.Errorf("Send() = %+v", rc)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("server got %d messages, want 1", len(got))
			}
			if !bytes.Equal(got[0].Data, env.Data) {
				t.Errorf("the server received other bytes than Render gave:\n%s\n---\n%s", got[0].Data, env.Data)
			}
			if want := []string{"partner@example.net", "ops@example.org", "archive@example.com"}; strings.Join(got[0].To, ",") != strings.Join(want, ",") {
				t.Errorf("RCPT TO = %v, want %v", got[0].To, want)
			}
			if got[0].From != "fleet@example.com" {
				t.Errorf("MAIL FROM = %q", got[0].From)
			}
			if got[0].TLS != tc.wantTLS {
				t.Errorf("TLS = %v, want %v", got[0].TLS, tc.wantTLS)
			}
			if tc.auth != "" && got[0].User != "fleet" {
				t.Errorf("authenticated user = %q, want fleet", got[0].User)
			}
		})
	}
}

// Successive Sends reuse one connection; a message that fails does not
// spoil it for the next.
func TestMailer_Send_reusesConnection(t *testing.T) {
	srv := mailtest.NewServer(t)
	m := smtpMailer(t, srv, func(c *Config) { c.Identity.NewToken = nil })
	var msgs []*Message
	for _, r := range []string{"WO-1", "WO-2", "", "WO-4", "WO-5"} {
		msg := testMessage()
		msg.Resource = r
		msgs = append(msgs, msg)
	}
	msgs[3].To = []string{"not an address"} // fails, the others go on
	type result struct {
		Receipt *Receipt
		Err     error
	}
	var results []result
	for _, msg := range msgs {
		rc, err := m.Send(context.Background(), msg)
		results = append(results, result{rc, err})
	}
	for i, r := range results {
		if i == 3 {
			if !errors.Is(r.Err, ErrInvalidMessage) {
				t.Errorf("result %d: err = %v, want ErrInvalidMessage", i, r.Err)
			}
			continue
		}
		if r.Err != nil {
			t.Fatalf("result %d: %v", i, r.Err)
		}
	}
	if results[2].Receipt.Resource == "" || results[2].Receipt.Resource == results[0].Receipt.Resource {
		t.Errorf("empty Resource got %q, want a new id", results[2].Receipt.Resource)
	}
	got := srv.Messages()
	if len(got) != 4 {
		t.Fatalf("server got %d messages, want 4", len(got))
	}
	seen := map[string]bool{}
	for i, msg := range got {
		if msg.Conn != 1 {
			t.Errorf("message %d came over connection %d, want 1", i, msg.Conn)
		}
	}
	for i, r := range results {
		if i != 3 {
			seen[r.Receipt.MessageID] = true
		}
	}
	if len(seen) != 4 {
		t.Errorf("Message-IDs not unique: %v", seen)
	}
	if n := srv.Stats().Connections; n != 1 {
		t.Errorf("connections = %d, want 1", n)
	}
}

func TestMailer_Send_smtpFailures(t *testing.T) {
	tests := []struct {
		name  string
		opts  []mailtest.Option
		edit  func(*Config)
		class error
		op    string
		code  int
	}{
		{"greeting 421", []mailtest.Option{mailtest.RejectGreeting(421)}, nil, ErrTransient, OpGreeting, 421},
		{"greeting 554", []mailtest.Option{mailtest.RejectGreeting(554)}, nil, ErrPermanent, OpGreeting, 554},
		{"rcpt 550", []mailtest.Option{mailtest.RejectRcpt(550)}, nil, ErrPermanent, OpRcpt, 550},
		{"rcpt 452", []mailtest.Option{mailtest.RejectRcpt(452)}, nil, ErrTransient, OpRcpt, 452},
		{"data 451", []mailtest.Option{mailtest.RejectData(451)}, nil, ErrTransient, OpData, 451},
		{"data 554", []mailtest.Option{mailtest.RejectData(554)}, nil, ErrPermanent, OpData, 554},
		{"auth 535", []mailtest.Option{mailtest.RequireTLS(), mailtest.RequireAuth("fleet", "s3cret")},
			func(c *Config) { c.Transport.SMTP.Password = "wrong" }, ErrAuth, OpAuth, 535},
		{"dropped after the final dot", []mailtest.Option{mailtest.DropAfterData()}, nil, ErrUnknownOutcome, OpData, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tc.opts...)
			var after []error
			m := smtpMailer(t, srv, func(c *Config) {
				c.Hooks.AfterSend = func(ctx context.Context, env *Envelope, err error) { after = append(after, err) }
				if tc.edit != nil {
					tc.edit(c)
				}
			})
			rc, err := m.Send(context.Background(), testMessage())
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("Send() = %v, want a *SendError", err)
			}
			if !errors.Is(err, tc.class) {
				t.Errorf("Send() = %v, want it to match %v", err, tc.class)
			}
			if se.Op != tc.op || (tc.code != 0 && se.Code != tc.code) && !(tc.op == OpRcpt && len(se.Rejected) > 0 && se.Rejected[0].Code == tc.code) {
				t.Errorf("SendError{Op: %q, Code: %d}, want {%q, %d}: %v", se.Op, se.Code, tc.op, tc.code, err)
			}
			if strings.Contains(err.Error(), "wrong") {
				t.Errorf("error shows the password: %v", err)
			}
			if rc == nil || rc.MessageID == "" || rc.Resource != "WO-42" {
				t.Errorf("Receipt with the error = %+v, want the message's ids for a retry", rc)
			}
			if len(after) != 1 || after[0] != err {
				t.Errorf("AfterSend saw %v, want the error once", after)
			}
		})
	}
}

func TestMailer_Send_partialRecipients(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.RejectRcptFor("ops@example.org", 550))
	m := smtpMailer(t, srv, nil)
	rc, err := m.Send(context.Background(), testMessage())
	var se *SendError
	if !errors.As(err, &se) || len(se.Rejected) != 1 || se.Rejected[0].Rcpt != "ops@example.org" || se.Rejected[0].Code != 550 {
		t.Fatalf("Send() = %v, want ops@example.org rejected with 550", err)
	}
	if got := strings.Join(rc.Recipients, ","); got != "partner@example.net,archive@example.com" {
		t.Errorf("Receipt.Recipients = %q, want the accepted ones", got)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server got %d messages, want 1 (to the accepted recipients)", n)
	}
}

func TestMailer_Send_hooks(t *testing.T) {
	t.Run("redirect", func(t *testing.T) {
		srv := mailtest.NewServer(t)
		m := smtpMailer(t, srv, func(c *Config) { c.Hooks.BeforeSend = Redirect("qa@example.com") })
		env, _ := m.Render(context.Background(), testMessage())
		rc, err := m.Send(context.Background(), testMessage())
		if err != nil {
			t.Fatal(err)
		}
		got := srv.Messages()
		if len(got) != 1 || strings.Join(got[0].To, ",") != "qa@example.com" {
			t.Fatalf("server got %+v, want one message to qa@example.com", got)
		}
		if !bytes.Equal(got[0].Data, env.Data) {
			t.Errorf("redirect changed the message bytes")
		}
		if !bytes.Contains(got[0].Data, []byte("To: Partner <partner@example.net>")) {
			t.Errorf("the To header no longer shows the intended recipient")
		}
		if strings.Join(rc.Recipients, ",") != "qa@example.com" {
			t.Errorf("Receipt.Recipients = %v", rc.Recipients)
		}
	})
	t.Run("veto", func(t *testing.T) {
		srv := mailtest.NewServer(t)
		afterCalled := false
		m := smtpMailer(t, srv, func(c *Config) {
			c.Hooks.BeforeSend = func(ctx context.Context, env *Envelope) error { return ErrVetoed }
			c.Hooks.AfterSend = func(context.Context, *Envelope, error) { afterCalled = true }
		})
		_, err := m.Send(context.Background(), testMessage())
		if !errors.Is(err, ErrVetoed) {
			t.Fatalf("Send() = %v, want ErrVetoed", err)
		}
		if n := srv.Stats().Connections; n != 0 {
			t.Errorf("a vetoed message opened %d connections", n)
		}
		if afterCalled {
			t.Errorf("AfterSend called for a vetoed message")
		}
	})
	t.Run("hook breaks the envelope", func(t *testing.T) {
		srv := mailtest.NewServer(t)
		m := smtpMailer(t, srv, func(c *Config) {
			c.Hooks.BeforeSend = func(ctx context.Context, env *Envelope) error {
				env.To = []string{`"a@b> ORCPT=c"@d`}
				return nil
			}
		})
		if _, err := m.Send(context.Background(), testMessage()); !errors.Is(err, ErrInvalidMessage) {
			t.Fatalf("Send() = %v, want ErrInvalidMessage", err)
		}
		if n := srv.Stats().Connections; n != 0 {
			t.Errorf("opened %d connections", n)
		}
	})
	t.Run("after-send stores the Message-ID", func(t *testing.T) {
		store := map[string]string{}
		m := newTestMailer(t, func(c *Config) {
			c.Render.Templates = testTemplates
			c.Hooks.AfterSend = func(ctx context.Context, env *Envelope, err error) {
				if err == nil {
					store[env.Resource] = env.MessageID
				}
			}
		})
		rc, err := m.Send(context.Background(), testMessage())
		if err != nil {
			t.Fatal(err)
		}
		if store["WO-42"] != rc.MessageID {
			t.Errorf("stored %q, want %q", store["WO-42"], rc.MessageID)
		}
	})
}

// logCounter counts log records.
type logCounter struct {
	mu   sync.Mutex
	msgs []string
}

func (h *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *logCounter) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.msgs = append(h.msgs, r.Message)
	h.mu.Unlock()
	return nil
}
func (h *logCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logCounter) WithGroup(string) slog.Handler      { return h }

func TestMailer_Send_outbox(t *testing.T) {
	logs := &logCounter{}
	dir := filepath.Join(t.TempDir(), "out")
	m := newTestMailer(t, func(c *Config) {
		c.Render.Templates = testTemplates
		c.Transport.URL = "file:" + dir
		c.Logger = slog.New(logs)
	})
	env, err := m.Render(context.Background(), testMessage())
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for range 3 {
		rc, err := m.Send(context.Background(), testMessage())
		if err != nil {
			t.Fatalf("Send() = %v", err)
		}
		if filepath.Dir(rc.Path) != dir || !strings.HasSuffix(rc.Path, ".eml") {
			t.Errorf("Path = %q, want an .eml file in %s", rc.Path, dir)
		}
		got, err := os.ReadFile(rc.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, env.Data) {
			t.Errorf("outbox file differs from Render's bytes")
		}
		paths = append(paths, rc.Path)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") || strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left in the outbox: %s", e.Name())
		}
	}
	if len(logs.msgs) != 0 {
		t.Errorf("log lines = %q, want none for a file: URL chosen on purpose", logs.msgs)
	}
}

// With nothing configured, New refuses and says how to choose: a library
// does not store mail meant to be sent.
func TestNew_noTransport(t *testing.T) {
	t.Chdir(t.TempDir())
	_, err := New(Config{Identity: Identity{From: "fleet@example.com"}, Render: RenderConfig{Templates: testTemplates}, Transport: TransportConfig{Getenv: func(string) string { return "" }}})
	if !errors.Is(err, ErrNoTransport) {
		t.Fatalf("New() = %v, want ErrNoTransport", err)
	}
	for _, want := range []string{"Transport.URL", EnvSMTPURL, "file:DIR", "Transport.Use", "Outbox"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("New() error %q does not mention %s", err, want)
		}
	}
	if _, err := os.Stat(DefaultFileDir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(%s) = %v, want no folder made", DefaultFileDir, err)
	}
	// The environment, a folder or an outbox each make a choice.
	for name, c := range map[string]Config{
		"env":    {Transport: TransportConfig{Getenv: func(string) string { return "file:" + t.TempDir() }}},
		"folder": {Transport: TransportConfig{URL: "file:" + t.TempDir(), Getenv: func(string) string { return "" }}},
		"outbox": {Outbox: nopOutbox{}, Transport: TransportConfig{Getenv: func(string) string { return "" }}},
	} {
		c.Identity.From = "fleet@example.com"
		m, err := New(c)
		if err != nil {
			t.Errorf("New(%s) = %v", name, err)
			continue
		}
		m.Close()
	}
}

func TestMailer_Send_outboxBadInputWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	m := newTestMailer(t, func(c *Config) {
		c.Render.Templates = testTemplates
		c.Transport.Use = NewFileTransport(dir, nil)
	})
	tests := []struct {
		name string
		edit func(*Message)
	}{
		{"unknown template", func(m *Message) { m.Template = "nope" }},
		{"injection through data", func(m *Message) {
			m.Template = "injection"
			m.Data = map[string]any{"name": "x\r\nBcc: evil@example.com"}
		}},
		{"bad address", func(m *Message) { m.To = []string{"a@b\r\nRCPT TO:<x>"} }},
		{"resource too long", func(m *Message) { m.Resource = strings.Repeat("r", 59) }},
		{"missing attachment", func(m *Message) { m.Attachments = []Attachment{{Path: filepath.Join(dir, "nope.pdf")}} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := testMessage()
			tc.edit(msg)
			if _, err := m.Send(context.Background(), msg); !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("Send() = %v, want ErrInvalidMessage", err)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("outbox exists after a refused message: %v", err)
			}
		})
	}
}

func TestMailer_Send_locale(t *testing.T) {
	m := newTestMailer(t, func(c *Config) { c.Render.Templates = testTemplates })
	msg := testMessage()
	msg.Locale = "fr"
	env, err := m.Render(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(env.Data, []byte("=?utf-8?q?Contr=C3=B4le?=")) {
		t.Errorf("French subject missing:\n%s", env.Data)
	}
}

func TestNew_config(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no from", Config{}, "From is required"},
		{"bad from", Config{Identity: Identity{From: "not an address"}}, "From"},
		{"from with plus", Config{Identity: Identity{From: "app+x@example.com"}}, "'+'"},
		{"from CRLF", Config{Identity: Identity{From: "app@example.com\r\nBcc: x@y"}}, "carriage return"},
		{"bad list id", Config{Identity: Identity{From: "app@example.com"}, Render: RenderConfig{ListID: "no dots"}}, "ListID"},
		{"bad smtp url", Config{Identity: Identity{From: "app@example.com"}, Transport: TransportConfig{URL: "smtp://user:p@ss@host"}}, "percent-encode"},
		{"bad env url", Config{Identity: Identity{From: "app@example.com"}, Transport: TransportConfig{Getenv: func(string) string { return "ftp://x" }}}, "MAILTRAIL_SMTP_URL"},
		{"bad keys", Config{Identity: Identity{From: "app@example.com", Keys: []identity.Key{{ID: "k", Secret: []byte("short")}}}}, "secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(tc.cfg)
			if err == nil {
				m.Close()
				t.Fatalf("New() = nil error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New() = %v, want an error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "p@ss") {
				t.Errorf("New() error shows the password: %v", err)
			}
		})
	}
}

func TestMailer_Send_afterClose(t *testing.T) {
	m := newTestMailer(t, func(c *Config) { c.Render.Templates = testTemplates })
	m.Close()
	if _, err := m.Send(context.Background(), testMessage()); !errors.Is(err, ErrClosed) {
		t.Errorf("Send() after Close = %v, want ErrClosed", err)
	}
}

func TestMailer_Send_concurrent(t *testing.T) {
	srv := mailtest.NewServer(t)
	m := smtpMailer(t, srv, func(c *Config) { c.Identity.NewToken = nil; c.Render.Boundary = nil })
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := m.Send(context.Background(), testMessage())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(srv.Messages()); n != 8 {
		t.Errorf("server got %d messages, want 8", n)
	}
}

// TestMailer_Deliver_retrySameMessageID retries a message refused with 451 by
// delivering the same Envelope again: same bytes, same Message-ID.
func TestMailer_Deliver_retrySameMessageID(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageDataEnd, Code: 451, Times: 1}))
	m := smtpMailer(t, srv, func(c *Config) { c.Identity.NewToken = nil })
	env, err := m.Render(context.Background(), testMessage())
	if err != nil {
		t.Fatal(err)
	}
	first, err := m.Deliver(context.Background(), env)
	if !errors.Is(err, ErrTransient) {
		t.Fatalf("first Deliver() = %v, want ErrTransient", err)
	}
	second, err := m.Deliver(context.Background(), env)
	if err != nil {
		t.Fatalf("second Deliver() = %v", err)
	}
	if first.MessageID != second.MessageID || second.MessageID != env.MessageID {
		t.Errorf("Message-IDs %q, %q, want %q twice", first.MessageID, second.MessageID, env.MessageID)
	}
	got := srv.Messages()
	if len(got) != 1 || !bytes.Equal(got[0].Data, env.Data) {
		t.Errorf("server got %d messages, want the rendered one once", len(got))
	}
}

// TestMailer_Send_faults runs SMTP rows of FAULTS.md that concern a single send
// through Send, end to end: each fails with the right class, sends nothing
// it should not, and reports no success. (The transport's own tests cover
// every row, including a reset mid-body, which needs a 16 MB message.)
func TestMailer_Send_faults(t *testing.T) {
	closedAddr := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}
	tests := []struct {
		name  string
		opts  []mailtest.Option
		edit  func(t *testing.T, c *SMTPConfig, srv *mailtest.Server)
		ctx   func() (context.Context, context.CancelFunc)
		want  []error
		check func(t *testing.T, srv *mailtest.Server)
	}{
		{
			name: "dial refused",
			edit: func(t *testing.T, c *SMTPConfig, _ *mailtest.Server) {
				host, port, _ := net.SplitHostPort(closedAddr(t))
				c.Host = host
				c.Port, _ = strconv.Atoi(port)
			},
			want: []error{ErrTransient},
		},
		{
			name: "no greeting",
			opts: []mailtest.Option{mailtest.StallAt(mailtest.StageGreeting)},
			edit: func(t *testing.T, c *SMTPConfig, _ *mailtest.Server) { c.CommandTimeout = 200 * time.Millisecond },
			want: []error{ErrTransient, ErrTimeout},
		},
		{
			name: "self-signed certificate",
			opts: []mailtest.Option{mailtest.RequireTLS(), mailtest.RequireAuth("fleet", "s3cret")},
			edit: func(t *testing.T, c *SMTPConfig, _ *mailtest.Server) { c.TLSConfig = nil },
			want: []error{ErrTLS, ErrPermanent},
			check: func(t *testing.T, srv *mailtest.Server) {
				if n := srv.Stats().AuthAttempts; n != 0 {
					t.Errorf("AUTH sent %d times over an unverified connection", n)
				}
			},
		},
		{
			name: "STARTTLS missing",
			edit: func(t *testing.T, c *SMTPConfig, _ *mailtest.Server) { c.Security = SecurityStartTLS },
			want: []error{ErrTLS},
		},
		{
			name: "stall after the final dot",
			opts: []mailtest.Option{mailtest.StallAt(mailtest.StageDataEnd)},
			edit: func(t *testing.T, c *SMTPConfig, _ *mailtest.Server) { c.DataTimeout = 200 * time.Millisecond },
			want: []error{ErrUnknownOutcome},
		},
		{
			name: "ctx cancelled after the final dot",
			opts: []mailtest.Option{mailtest.StallAt(mailtest.StageDataEnd)},
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 200*time.Millisecond)
			},
			want: []error{ErrUnknownOutcome, context.DeadlineExceeded},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tc.opts...)
			m := smtpMailer(t, srv, func(c *Config) {
				if tc.edit != nil {
					tc.edit(t, c.Transport.SMTP, srv)
				}
			})
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tc.ctx != nil {
				ctx, cancel = tc.ctx()
			}
			defer cancel()
			_, err := m.Send(ctx, testMessage())
			if err == nil {
				t.Fatal("Send() = nil, want an error")
			}
			for _, want := range tc.want {
				if !errors.Is(err, want) {
					t.Errorf("Send() = %v, want it to match %v", err, want)
				}
			}
			if tc.name != "stall after the final dot" && !strings.HasPrefix(tc.name, "ctx") {
				if n := len(srv.Messages()); n != 0 {
					t.Errorf("server accepted %d messages", n)
				}
			}
			if tc.check != nil {
				tc.check(t, srv)
			}
		})
	}
}

func TestMailer_Render_envelopeRecipients(t *testing.T) {
	m := newTestMailer(t, func(c *Config) { c.Render.Templates = testTemplates })
	msg := testMessage()
	msg.To = []string{"A <a@example.net>", "b@example.net"}
	msg.Cc = []string{"B@example.net"}
	msg.Bcc = []string{"a@example.net", "c@example.net"}
	env, err := m.Render(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(env.To, ","), "a@example.net,b@example.net,c@example.net"; got != want {
		t.Errorf("envelope recipients = %s, want %s (each address once)", got, want)
	}
	if bytes.Contains(env.Data, []byte("c@example.net")) {
		t.Errorf("the Bcc address appears in the message")
	}
}

// nopOutbox is an Outbox that stores nothing, for configuration tests.
type nopOutbox struct{}

func (nopOutbox) Enqueue(context.Context, *Envelope) (string, error) { return "", nil }
