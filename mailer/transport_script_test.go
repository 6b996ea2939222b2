package mailer

import (
	"bufio"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// scriptServer is a raw SMTP peer for faults go-smtp's server cannot play,
// such as refusing the DATA command itself. It answers each command verb
// from replies (default: a plain success) and records the commands.
type scriptServer struct {
	ln       net.Listener
	replies  map[string]string
	mu       sync.Mutex
	commands []string
	wg       sync.WaitGroup
}

func newScriptServer(t *testing.T, replies map[string]string) *scriptServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &scriptServer{ln: ln, replies: replies}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *scriptServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *scriptServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			s.session(c)
		}()
	}
}

func (s *scriptServer) setReplies(r map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = r
}

func (s *scriptServer) reply(verb, def string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.replies[verb]; ok {
		return r
	}
	return def
}

func (s *scriptServer) session(c net.Conn) {
	r := bufio.NewReader(c)
	w := func(line string) { c.Write([]byte(line + "\r\n")) }
	w(s.reply("greeting", "220 script ready"))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		s.mu.Lock()
		s.commands = append(s.commands, verb)
		s.mu.Unlock()
		switch verb {
		case "EHLO":
			w(s.reply(verb, "250-script\r\n250 8BITMIME"))
		case "DATA":
			rep := s.reply(verb, "354 go ahead")
			w(rep)
			if !strings.HasPrefix(rep, "354") {
				continue
			}
			for {
				body, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if body == ".\r\n" {
					break
				}
			}
			w(s.reply("dot", "250 2.0.0 queued"))
		case "QUIT":
			w("221 bye")
			return
		default:
			w(s.reply(verb, "250 ok"))
		}
	}
}

func (s *scriptServer) saw() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.commands, " ")
}

func TestTransport_dataCommandRefused(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  error
		code  int
	}{
		{"451 at DATA", "451 4.3.0 try later", ErrTransient, 451},
		{"554 at DATA", "554 5.5.1 no valid recipients", ErrPermanent, 554},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptServer(t, map[string]string{"DATA": tt.reply})
			tr := newTransport(&SMTPConfig{Host: "127.0.0.1", Port: srv.port(), Security: SecurityNone,
				CommandTimeout: 5 * time.Second}, nil)
			err := send(tr, "b@x.test")
			se := asSendError(t, err)
			wantClass(t, err, tt.want)
			if se.Op != OpData || se.Code != tt.code {
				t.Errorf("send() = %v, want data %d", err, tt.code)
			}
			// The aborted transaction is reset, and the connection reused.
			srv.setReplies(nil)
			if err := send(tr, "b@x.test"); err != nil {
				t.Fatalf("second send() = %v", err)
			}
			tr.close()
			if got, want := srv.saw(), "EHLO MAIL RCPT DATA RSET EHLO MAIL RCPT DATA QUIT"; got != want {
				t.Errorf("server saw %q, want %q", got, want)
			}
		})
	}
}

func TestTransport_multilineGreetingAndHeloFallback(t *testing.T) {
	srv := newScriptServer(t, map[string]string{
		"greeting": "220-script first line\r\n220 second line",
		"EHLO":     "502 5.5.1 EHLO not implemented",
	})
	tr := newTransport(&SMTPConfig{Host: "127.0.0.1", Port: srv.port(), Security: SecurityNone}, nil)
	if err := send(tr, "b@x.test"); err != nil {
		t.Fatalf("send() = %v", err)
	}
	tr.close()
	if got, want := srv.saw(), "EHLO HELO MAIL RCPT DATA QUIT"; got != want {
		t.Errorf("server saw %q, want %q", got, want)
	}
}

func TestTransport_starttlsDataBeforeHandshake(t *testing.T) {
	// A reply to STARTTLS followed at once by more bytes: what a man in
	// the middle injecting commands looks like (CVE-2011-0411).
	srv := newScriptServer(t, map[string]string{
		"EHLO":     "250-script\r\n250 STARTTLS",
		"STARTTLS": "220 go ahead\r\n250 injected",
	})
	tr := newTransport(&SMTPConfig{Host: "127.0.0.1", Port: srv.port(), Security: SecurityStartTLS,
		CommandTimeout: 5 * time.Second}, nil)
	err := send(tr, "b@x.test")
	wantClass(t, err, ErrPermanent, ErrTLS)
	// Refused before the handshake when the bytes came in one segment
	// (starttls), or by the handshake choking on them (tls).
	var se *SendError
	if errors.As(err, &se) && se.Op != OpStartTLS && se.Op != OpTLS {
		t.Errorf("Op = %q, want starttls or tls", se.Op)
	}
}
