package imap_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/imap"
	"github.com/mailtrail/mailtrail/inbound/imaptest"
)

var testApp = identity.App{Name: "app", Domain: "example.test"}

const (
	resA = "0b9f4a52-8c1e-4d3a-9f7e-2a6c5d4e3f21"
	resB = "5e2d1c0b-3a49-4f8e-8d7c-6b5a49382716"
)

// replyTo returns a partner's reply to resource, addressed to our plus
// address; n makes the Message-ID unique.
func replyTo(t *testing.T, resource string, n int) []byte {
	t.Helper()
	to, err := testApp.ReplyTo(resource)
	if err != nil {
		t.Fatalf("ReplyTo(%q): %v", resource, err)
	}
	return []byte(fmt.Sprintf("From: Partner <partner@example.test>\r\n"+
		"To: %s\r\n"+
		"Subject: Re: vehicle check %d\r\n"+
		"Message-ID: <reply-%d-%s@partner.example.test>\r\n"+
		"Date: Sat, 21 Nov 2026 05:00:00 +0000\r\n"+
		"MIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n"+
		"\r\n"+
		"All good, plate AB-123-CD.\r\n", to, n, n, resource[:8]))
}

// unparsable is a message the parser rejects: nothing at all (the
// server stores it as an empty line).
var unparsable = []byte{}

// recorder is a Handler that records what it saw and fails or panics on
// the subjects it is told to.
type recorder struct {
	mu     sync.Mutex
	seen   []*imap.Mail
	fail   map[string]bool // subject → return an error
	panics map[string]bool // subject → panic
}

func (r *recorder) handle(ctx context.Context, m *imap.Mail) error {
	r.mu.Lock()
	r.seen = append(r.seen, m)
	r.mu.Unlock()
	subj := m.Message.Header.Get("Subject")
	if r.panics[subj] {
		panic("handler bug on " + subj)
	}
	if r.fail[subj] {
		return errors.New("handler refused " + subj)
	}
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

func newPoller(srv *imaptest.Server) *imap.Poller {
	return &imap.Poller{
		URL:            srv.URL(),
		TLSConfig:      srv.ClientTLSConfig(),
		App:            testApp,
		ReconnectDelay: time.Millisecond,
		ReconnectMax:   10 * time.Millisecond,
	}
}

func subjects(msgs [][]byte) []string {
	var out []string
	for _, m := range msgs {
		subject := "(none)"
		for _, line := range strings.Split(string(m), "\r\n") {
			if s, ok := strings.CutPrefix(line, "Subject: "); ok {
				subject = s
				break
			}
		}
		out = append(out, subject)
	}
	return out
}

func checkFolder(t *testing.T, srv *imaptest.Server, folder string, want ...string) {
	t.Helper()
	got := subjects(srv.Messages(folder))
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("folder %s holds %q, want %q", folder, got, want)
	}
}

func TestPoller_Poll_files(t *testing.T) {
	tests := []struct {
		name      string
		opts      imaptest.Options
		mode      imap.MoveMode
		wantMoves bool // UID MOVE used
		wantUIDEx bool // UID EXPUNGE used (copy mode with UIDPLUS)
	}{
		{"MOVE advertised", imaptest.Options{}, imap.MoveAuto, true, false},
		{"no MOVE: copy and delete", imaptest.Options{NoMove: true}, imap.MoveAuto, false, true},
		{"copy forced despite MOVE", imaptest.Options{}, imap.MoveCopyDelete, false, true},
		{"MOVE refused: falls back to copy", imaptest.Options{BrokenMove: true}, imap.MoveAuto, true, true},
		{"no UIDPLUS: plain EXPUNGE", imaptest.Options{NoMove: true, NoUIDPlus: true}, imap.MoveAuto, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := imaptest.NewServer(t, &tt.opts)
			srv.Deliver("", replyTo(t, resA, 1))
			srv.Deliver("", replyTo(t, resB, 2))
			srv.Deliver("", replyTo(t, resA, 3))
			srv.Deliver("", unparsable)
			srv.Deliver("", replyTo(t, resB, 5))
			rec := &recorder{
				fail:   map[string]bool{"Re: vehicle check 2": true},
				panics: map[string]bool{"Re: vehicle check 3": true},
			}
			p := newPoller(srv)
			p.MoveMode = tt.mode
			var filed []*imap.Mail
			p.Filed = func(m *imap.Mail) { filed = append(filed, m) }

			if err := p.Poll(context.Background(), rec.handle); err != nil {
				t.Fatalf("Poll() = %v, want nil", err)
			}

			checkFolder(t, srv, "INBOX")
			checkFolder(t, srv, "processed", "Re: vehicle check 1", "Re: vehicle check 5")
			checkFolder(t, srv, "failed", "Re: vehicle check 2", "Re: vehicle check 3", "(none)")
			if got := rec.count(); got != 4 {
				t.Errorf("handler called %d times, want 4 (not for the unparsable message)", got)
			}
			if len(filed) != 5 {
				t.Fatalf("Filed called %d times, want 5", len(filed))
			}
			wantOutcome := []imap.Outcome{imap.OutcomeProcessed, imap.OutcomeFailed,
				imap.OutcomeFailed, imap.OutcomeFailed, imap.OutcomeProcessed}
			for i, m := range filed {
				if m.Outcome != wantOutcome[i] {
					t.Errorf("message %d: Outcome = %v, want %v (Err %v)", i+1, m.Outcome, wantOutcome[i], m.Err)
				}
			}
			var pe *imap.PanicError
			if !errors.As(filed[2].Err, &pe) || !strings.Contains(fmt.Sprint(pe.Value), "handler bug") {
				t.Errorf("panicking handler: Err = %v, want *PanicError", filed[2].Err)
			}
			if filed[1].Err == nil || !strings.Contains(filed[1].Err.Error(), "handler refused") {
				t.Errorf("failing handler: Err = %v, want the handler's error", filed[1].Err)
			}
			if filed[3].Err == nil || filed[3].Message != nil {
				t.Errorf("unparsable message: Err = %v, Message = %v; want a parse error and no message", filed[3].Err, filed[3].Message)
			}
			if tr := filed[0].Trace; tr == nil || tr.Resource != resA || !tr.Exact {
				t.Errorf("message 1: Trace = %+v (err %v), want exact %s", tr, filed[0].TraceErr, resA)
			}
			if tr := filed[4].Trace; tr == nil || tr.Resource != resB {
				t.Errorf("message 5: Trace = %+v (err %v), want %s", tr, filed[4].TraceErr, resB)
			}
			if got, want := filed[0].Key, "<reply-1-0b9f4a52@partner.example.test>"; got != want {
				t.Errorf("message 1: Key = %q, want %q", got, want)
			}

			st := srv.Stats()
			if (st.Moves > 0) != tt.wantMoves {
				t.Errorf("MOVE commands = %d, want used = %v", st.Moves, tt.wantMoves)
			}
			if (st.UIDExpunges > 0) != tt.wantUIDEx {
				t.Errorf("UID EXPUNGE commands = %d, want used = %v", st.UIDExpunges, tt.wantUIDEx)
			}
			if tt.opts.BrokenMove && st.Moves != 1 {
				t.Errorf("refused MOVE tried %d times, want once per session", st.Moves)
			}
			if st.SeqNumUses != 0 {
				t.Errorf("%d commands used sequence numbers, want UIDs only", st.SeqNumUses)
			}
			if st.Creates != 2 {
				t.Errorf("CREATE = %d, want 2 (processed and failed)", st.Creates)
			}
			if st.Logouts != 1 {
				t.Errorf("LOGOUT = %d, want 1", st.Logouts)
			}
		})
	}
}

func TestPoller_Poll_folders(t *testing.T) {
	t.Run("existing folders are kept", func(t *testing.T) {
		srv := imaptest.NewServer(t, &imaptest.Options{Mailboxes: []string{"Done", "Broken"}})
		srv.Deliver("Done", replyTo(t, resA, 9))
		srv.Deliver("", replyTo(t, resA, 1))
		p := newPoller(srv)
		p.Processed, p.Failed = "Done", "Broken"
		if err := p.Poll(context.Background(), func(context.Context, *imap.Mail) error { return nil }); err != nil {
			t.Fatalf("Poll() = %v", err)
		}
		if st := srv.Stats(); st.Creates != 0 {
			t.Errorf("CREATE = %d, want 0", st.Creates)
		}
		checkFolder(t, srv, "Done", "Re: vehicle check 9", "Re: vehicle check 1")
	})
	t.Run("folder deleted while running is created again", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		srv.Deliver("", replyTo(t, resA, 1))
		p := newPoller(srv)
		err := p.Poll(context.Background(), func(context.Context, *imap.Mail) error {
			srv.DeleteMailbox("processed") // an operator tidying up
			return nil
		})
		if err != nil {
			t.Fatalf("Poll() = %v", err)
		}
		checkFolder(t, srv, "processed", "Re: vehicle check 1")
		checkFolder(t, srv, "INBOX")
	})
	t.Run("empty mailbox", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		rec := &recorder{}
		if err := newPoller(srv).Poll(context.Background(), rec.handle); err != nil {
			t.Fatalf("Poll() = %v", err)
		}
		if rec.count() != 0 {
			t.Errorf("handler called %d times, want 0", rec.count())
		}
		if st := srv.Stats(); st.Logouts != 1 {
			t.Errorf("LOGOUT = %d, want 1", st.Logouts)
		}
	})
}

func TestPoller_Poll_tooLarge(t *testing.T) {
	srv := imaptest.NewServer(t, nil)
	srv.Deliver("", replyTo(t, resA, 1))
	p := newPoller(srv)
	p.MaxSize = 100
	rec := &recorder{}
	var got *imap.Mail
	p.Filed = func(m *imap.Mail) { got = m }
	if err := p.Poll(context.Background(), rec.handle); err != nil {
		t.Fatalf("Poll() = %v", err)
	}
	if rec.count() != 0 || got == nil || !errors.Is(got.Err, inbound.ErrTooLarge) || got.Raw != nil {
		t.Errorf("over MaxSize: handler calls %d, Filed %+v; want no call, ErrTooLarge, nothing downloaded", rec.count(), got)
	}
	checkFolder(t, srv, "failed", "Re: vehicle check 1")
}

func TestPoller_Poll_errors(t *testing.T) {
	ok := func(context.Context, *imap.Mail) error { return nil }
	t.Run("wrong password", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		p := newPoller(srv)
		p.URL = imaptest.URL("imap+insecure", imaptest.User, "not-the-password", srv.Addr())
		err := p.Poll(context.Background(), ok)
		if !errors.Is(err, imap.ErrAuth) {
			t.Fatalf("Poll() = %v, want ErrAuth", err)
		}
		if strings.Contains(err.Error(), "not-the-password") {
			t.Errorf("error %q shows the password", err)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		srv := imaptest.NewServer(t, &imaptest.Options{TLS: imaptest.Implicit})
		p := newPoller(srv)
		p.TLSConfig = nil // the system's roots do not know the test certificate
		err := p.Poll(context.Background(), ok)
		if !errors.Is(err, imap.ErrTLS) || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("Poll() = %v, want ErrTLS naming the certificate", err)
		}
		if st := srv.Stats(); st.Logins != 0 {
			t.Errorf("logins = %d, want 0", st.Logins)
		}
	})
	t.Run("imap:// to a server without STARTTLS", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		p := newPoller(srv)
		p.URL = imaptest.URL("imap", imaptest.User, imaptest.Password, srv.Addr())
		err := p.Poll(context.Background(), ok)
		if !errors.Is(err, imap.ErrTLS) {
			t.Fatalf("Poll() = %v, want ErrTLS", err)
		}
		if st := srv.Stats(); st.Logins != 0 {
			t.Errorf("logins = %d, want 0: no password without TLS", st.Logins)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		p := &imap.Poller{URL: imaptest.URL("imap+insecure", "u", "p", addr)}
		if err := p.Poll(context.Background(), ok); err == nil || !strings.Contains(err.Error(), addr) {
			t.Fatalf("Poll() = %v, want an error naming %s", err, addr)
		}
	})
	t.Run("nil handler", func(t *testing.T) {
		p := &imap.Poller{URL: "imaps://u:p@127.0.0.1"}
		if err := p.Poll(context.Background(), nil); !errors.Is(err, imap.ErrConfig) {
			t.Fatalf("Poll(nil) = %v, want ErrConfig", err)
		}
	})
}

func TestPoller_Poll_tls(t *testing.T) {
	for _, mode := range []imaptest.TLSMode{imaptest.Implicit, imaptest.StartTLS} {
		t.Run(fmt.Sprint(mode), func(t *testing.T) {
			srv := imaptest.NewServer(t, &imaptest.Options{TLS: mode})
			srv.Deliver("", replyTo(t, resA, 1))
			rec := &recorder{}
			if err := newPoller(srv).Poll(context.Background(), rec.handle); err != nil {
				t.Fatalf("Poll() = %v", err)
			}
			checkFolder(t, srv, "processed", "Re: vehicle check 1")
			if st := srv.Stats(); st.Logouts != 1 {
				t.Errorf("LOGOUT = %d, want 1", st.Logouts)
			}
		})
	}
}

func TestPoller_Check(t *testing.T) {
	tests := []struct {
		name, url string
		mutate    func(p *imap.Poller)
		wantErr   string // "" means valid
	}{
		{"imaps", "imaps://u:pw@mail.example.test", nil, ""},
		{"imap starttls", "imap://u:pw@mail.example.test:143", nil, ""},
		{"insecure loopback", "imap+insecure://u:pw@127.0.0.1:1143", nil, ""},
		{"insecure localhost", "imap+insecure://u:pw@localhost:1143", nil, ""},
		{"insecure ::1", "imap+insecure://u:pw@[::1]:1143", nil, ""},
		{"encoded user", "imaps://app%40example.test:pw@mail.example.test", nil, ""},
		{"empty", "", nil, "no IMAP URL"},
		{"insecure remote", "imap+insecure://u:pw@mail.example.test", nil, "loopback"},
		{"unknown scheme", "pop3://u:pw@mail.example.test", nil, "unknown scheme"},
		{"no scheme", "mail.example.test", nil, "no scheme"},
		{"no user", "imaps://mail.example.test", nil, "no user"},
		{"no host", "imaps://u:pw@", nil, "no host"},
		{"path", "imaps://u:pw@mail.example.test/INBOX", nil, "path"},
		{"unparsable", "imaps://u:pw%zz@mail.example.test", nil, "cannot parse"},
		{"processed is the mailbox", "imaps://u:pw@h", func(p *imap.Poller) { p.Processed = "inbox" }, "must differ"},
		{"same folders", "imaps://u:pw@h", func(p *imap.Poller) { p.Failed = "processed" }, "both"},
		{"bad proxy", "imaps://u:pw@h", func(p *imap.Poller) { p.ProxyURL = "socks5://proxy:1080" }, "proxy"},
		{"bad move mode", "imaps://u:pw@h", func(p *imap.Poller) { p.MoveMode = 7 }, "MoveMode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &imap.Poller{URL: tt.url}
			if tt.mutate != nil {
				tt.mutate(p)
			}
			err := p.Check()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tt.url, err)
				}
				return
			}
			if !errors.Is(err, imap.ErrConfig) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Check(%q) = %v, want ErrConfig mentioning %q", tt.url, err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "pw") {
				t.Errorf("Check(%q) = %q shows the password", tt.url, err)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"imaps://u:secret@h:993", "imaps://u:xxxxx@h:993"},
		{"imaps://u@h", "imaps://u@h"},
		{"imaps://u:p%zz@h", "imaps://xxxxx@h"},
		{"imaps://u:se@cr@et@h", "imaps://u:xxxxx@h"},
	}
	for _, tt := range tests {
		if got := imap.RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPoller_Poll_cancelledHandlerLeavesMessage(t *testing.T) {
	srv := imaptest.NewServer(t, nil)
	srv.Deliver("", replyTo(t, resA, 1))
	srv.Deliver("", replyTo(t, resA, 2))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	err := newPoller(srv).Poll(ctx, func(ctx context.Context, m *imap.Mail) error {
		calls++
		cancel() // shutting down while handling
		return ctx.Err()
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Poll() = %v, want context.Canceled", err)
	}
	if calls != 1 {
		t.Errorf("handler called %d times, want 1", calls)
	}
	checkFolder(t, srv, "INBOX", "Re: vehicle check 1", "Re: vehicle check 2")
	checkFolder(t, srv, "failed")
	if st := srv.Stats(); st.Logouts != 1 {
		t.Errorf("LOGOUT = %d, want 1 even when cancelled", st.Logouts)
	}
}

func TestPoller_Poll_proxy(t *testing.T) {
	srv := imaptest.NewServer(t, &imaptest.Options{TLS: imaptest.Implicit})
	srv.Deliver("", replyTo(t, resA, 1))
	proxy := startConnectProxy(t)
	p := newPoller(srv)
	p.ProxyURL = "http://user:proxy-pass@" + proxy.addr
	if err := p.Poll(context.Background(), func(context.Context, *imap.Mail) error { return nil }); err != nil {
		t.Fatalf("Poll() through proxy = %v", err)
	}
	checkFolder(t, srv, "processed", "Re: vehicle check 1")
	if got := proxy.targets(); len(got) != 1 || got[0] != srv.Addr() {
		t.Errorf("proxy CONNECT targets = %q, want [%s]", got, srv.Addr())
	}
	if got := proxy.auth(); got != "Basic dXNlcjpwcm94eS1wYXNz" {
		t.Errorf("Proxy-Authorization = %q, want Basic user:proxy-pass", got)
	}

	t.Run("proxy refuses", func(t *testing.T) {
		p := newPoller(srv)
		p.ProxyURL = "http://" + proxy.addr
		proxy.refuse(true)
		err := p.Poll(context.Background(), func(context.Context, *imap.Mail) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "403") {
			t.Fatalf("Poll() = %v, want the proxy's 403", err)
		}
	})
}

// ledgerCrash handles one message, then loses the connection before the
// message is moved, as a crash between handling and moving would.
func ledgerCrash(t *testing.T, srv *imaptest.Server, p *imap.Poller, rec *recorder) {
	t.Helper()
	err := p.Poll(context.Background(), func(ctx context.Context, m *imap.Mail) error {
		err := rec.handle(ctx, m)
		srv.DropConnections()
		return err
	})
	if err == nil {
		t.Fatalf("Poll() with the connection dropped before the move = nil, want an error")
	}
	checkFolder(t, srv, "INBOX", "Re: vehicle check 1")
}

// TestFaults_IMAP runs the IMAP rows of FAULTS.md.
func TestFaults_IMAP(t *testing.T) {
	t.Run("UIDVALIDITY changes between polls", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		srv.Deliver("", replyTo(t, resA, 1))
		p := newPoller(srv)
		p.Ledger = &imap.MemoryLedger{}
		rec := &recorder{}
		ledgerCrash(t, srv, p, rec)
		before := srv.UIDValidity("INBOX")
		srv.ResetUIDValidity("INBOX")
		if srv.UIDValidity("INBOX") == before {
			t.Fatal("UIDVALIDITY did not change")
		}
		var filed *imap.Mail
		p.Filed = func(m *imap.Mail) { filed = m }
		if err := p.Poll(context.Background(), rec.handle); err != nil {
			t.Fatalf("Poll() after the UIDVALIDITY change = %v", err)
		}
		if rec.count() != 1 {
			t.Errorf("handler called %d times, want 1: the ledger knows the Message-ID", rec.count())
		}
		if filed == nil || !filed.Replayed || filed.Outcome != imap.OutcomeProcessed {
			t.Errorf("Filed = %+v, want a replayed, processed message", filed)
		}
		checkFolder(t, srv, "INBOX")
		checkFolder(t, srv, "processed", "Re: vehicle check 1")
	})

	t.Run("poll crash after processing, before flag or move", func(t *testing.T) {
		tests := []struct {
			name      string
			ledger    string // "", "memory" or "file"
			wantCalls int
		}{
			{"no ledger: handled again (at least once)", "", 2},
			{"memory ledger", "memory", 1},
			{"file ledger, read again by a new process", "file", 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				srv := imaptest.NewServer(t, &imaptest.Options{NoMove: true})
				srv.Deliver("", replyTo(t, resA, 1))
				rec := &recorder{fail: map[string]bool{"Re: vehicle check 1": true}}
				p := newPoller(srv)
				path := filepath.Join(t.TempDir(), "ledger.jsonl")
				switch tt.ledger {
				case "memory":
					p.Ledger = &imap.MemoryLedger{}
				case "file":
					l, err := imap.OpenFileLedger(path)
					if err != nil {
						t.Fatal(err)
					}
					p.Ledger = l
				}
				ledgerCrash(t, srv, p, rec)
				if fl, ok := p.Ledger.(*imap.FileLedger); ok {
					fl.Close()
					l, err := imap.OpenFileLedger(path)
					if err != nil {
						t.Fatal(err)
					}
					defer l.Close()
					p.Ledger = l
				}
				if err := p.Poll(context.Background(), rec.handle); err != nil {
					t.Fatalf("second Poll() = %v", err)
				}
				if rec.count() != tt.wantCalls {
					t.Errorf("handler called %d times, want %d", rec.count(), tt.wantCalls)
				}
				checkFolder(t, srv, "INBOX")
				checkFolder(t, srv, "failed", "Re: vehicle check 1")
			})
		}
	})

	t.Run("server drops during FETCH", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		srv.Deliver("", replyTo(t, resA, 1))
		var once sync.Once
		srv.OnFetch(func() { once.Do(func() { srv.DropConnections() }) })
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rec := &recorder{}
		p := newPoller(srv)
		p.Filed = func(*imap.Mail) { cancel() }
		err := p.Watch(ctx, rec.handle)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Watch() = %v, want context.Canceled", err)
		}
		if rec.count() != 1 {
			t.Errorf("handler called %d times, want 1", rec.count())
		}
		checkFolder(t, srv, "processed", "Re: vehicle check 1")
		if st := srv.Stats(); st.Logins != 2 {
			t.Errorf("logins = %d, want 2 (one reconnect)", st.Logins)
		}
	})

	t.Run("server drops during IDLE", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		idling := make(chan struct{}, 10)
		srv.OnIdle(func() { idling <- struct{}{} })
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rec := &recorder{}
		p := newPoller(srv)
		p.Filed = func(*imap.Mail) { cancel() }
		done := make(chan error, 1)
		go func() { done <- p.Watch(ctx, rec.handle) }()
		<-idling
		srv.DropConnections()
		<-idling // reconnected and idling again
		srv.Deliver("", replyTo(t, resA, 1))
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Watch() = %v, want context.Canceled", err)
		}
		checkFolder(t, srv, "processed", "Re: vehicle check 1")
		if st := srv.Stats(); st.Logins != 2 {
			t.Errorf("logins = %d, want 2", st.Logins)
		}
	})
}

func TestPoller_Watch(t *testing.T) {
	t.Run("IDLE wakes on a new message", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		srv.Deliver("", replyTo(t, resA, 1))
		idling := make(chan struct{}, 10)
		srv.OnIdle(func() { idling <- struct{}{} })
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rec := &recorder{}
		p := newPoller(srv)
		p.PollInterval = time.Hour // only IDLE can bring the second message in time
		p.IdleRecheck = time.Hour
		filed := make(chan *imap.Mail, 10)
		p.Filed = func(m *imap.Mail) { filed <- m }
		done := make(chan error, 1)
		go func() { done <- p.Watch(ctx, rec.handle) }()
		<-filed
		<-idling
		srv.Deliver("", replyTo(t, resB, 2))
		m := <-filed
		if m.Trace == nil || m.Trace.Resource != resB {
			t.Errorf("second message traced to %+v, want %s", m.Trace, resB)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Watch() = %v, want context.Canceled", err)
		}
		st := srv.Stats()
		if st.Idles == 0 || st.Logins != 1 || st.Logouts != 1 {
			t.Errorf("IDLE %d, logins %d, logouts %d; want IDLE used on one session, logged out", st.Idles, st.Logins, st.Logouts)
		}
		checkFolder(t, srv, "processed", "Re: vehicle check 1", "Re: vehicle check 2")
	})

	t.Run("no IDLE: polls at the interval", func(t *testing.T) {
		srv := imaptest.NewServer(t, &imaptest.Options{NoIdle: true})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p := newPoller(srv)
		p.PollInterval = time.Millisecond
		filed := make(chan *imap.Mail, 10)
		p.Filed = func(m *imap.Mail) { filed <- m }
		done := make(chan error, 1)
		go func() { done <- p.Watch(ctx, func(context.Context, *imap.Mail) error { return nil }) }()
		srv.Deliver("", replyTo(t, resA, 1))
		<-filed
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Watch() = %v, want context.Canceled", err)
		}
		if st := srv.Stats(); st.Idles != 0 || st.Logouts != 1 {
			t.Errorf("IDLE %d, logouts %d; want no IDLE, one logout", st.Idles, st.Logouts)
		}
	})

	t.Run("ctx cancel stops an idling Watch", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		idling := make(chan struct{}, 10)
		srv.OnIdle(func() { idling <- struct{}{} })
		ctx, cancel := context.WithCancel(context.Background())
		p := newPoller(srv)
		p.IdleRecheck = time.Hour
		done := make(chan error, 1)
		go func() { done <- p.Watch(ctx, func(context.Context, *imap.Mail) error { return nil }) }()
		<-idling
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Watch() = %v, want context.Canceled", err)
		}
		if st := srv.Stats(); st.Logouts != 1 {
			t.Errorf("LOGOUT = %d, want 1", st.Logouts)
		}
	})

	t.Run("ctx cancel stops the reconnect loop", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens: every attempt fails
		ctx, cancel := context.WithCancel(context.Background())
		var attempts int
		var mu sync.Mutex
		logw := &lockedBuffer{onWrite: func() {
			mu.Lock()
			attempts++
			n := attempts
			mu.Unlock()
			if n == 3 {
				cancel()
			}
		}}
		p := &imap.Poller{
			URL:            imaptest.URL("imap+insecure", "u", "p", addr),
			ReconnectDelay: time.Millisecond,
			Logger:         newTestLogger(logw),
		}
		err = p.Watch(ctx, func(context.Context, *imap.Mail) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Watch() = %v, want context.Canceled", err)
		}
	})

	t.Run("wrong password is not retried", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		p := newPoller(srv)
		p.URL = imaptest.URL("imap+insecure", imaptest.User, "wrong", srv.Addr())
		err := p.Watch(context.Background(), func(context.Context, *imap.Mail) error { return nil })
		if !errors.Is(err, imap.ErrAuth) {
			t.Fatalf("Watch() = %v, want ErrAuth", err)
		}
	})
}

// lockedBuffer is a log sink that calls onWrite for each line.
type lockedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	onWrite func()
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.buf.Write(p)
	b.mu.Unlock()
	if b.onWrite != nil && bytes.Contains(p, []byte("reconnecting")) {
		b.onWrite()
	}
	return len(p), nil
}

func TestPoller_timeouts(t *testing.T) {
	t.Run("server that never greets", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close() // hold it open, say nothing
			}
		}()
		p := &imap.Poller{URL: imaptest.URL("imap+insecure", "u", "p", ln.Addr().String()), DialTimeout: 50 * time.Millisecond}
		err = p.Poll(context.Background(), func(context.Context, *imap.Mail) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "timed out") {
			t.Fatalf("Poll() = %v, want a timeout naming the dial timeout", err)
		}
	})
	t.Run("ctx cancelled while the server hangs in FETCH", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		srv.Deliver("", replyTo(t, resA, 1))
		hung := make(chan struct{})
		release := make(chan struct{})
		t.Cleanup(func() { close(release) }) // before the server closes
		var once sync.Once
		srv.OnFetch(func() {
			once.Do(func() { close(hung) })
			<-release
		})
		ctx, cancel := context.WithCancel(context.Background())
		p := newPoller(srv)
		p.LogoutTimeout = 20 * time.Millisecond
		done := make(chan error, 1)
		go func() { done <- p.Poll(ctx, func(context.Context, *imap.Mail) error { return nil }) }()
		<-hung
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Poll() = %v, want context.Canceled", err)
		}
		checkFolder(t, srv, "processed")
	})
}
