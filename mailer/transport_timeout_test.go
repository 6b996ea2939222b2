package mailer

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// replyProxy sits between the client and a mailtest server and holds back
// the server's replies: each complete reply is delayed by delay, and after
// stallAfter replies (when not zero) nothing more is forwarded until the
// test ends. SMTP without pipelining is lock-step, so counting replies
// counts commands: stallAfter 1 lets the greeting through and never answers
// EHLO, a command mailtest has no fault for.
type replyProxy struct {
	ln         net.Listener
	target     string
	delay      time.Duration
	stallAfter int
	done       chan struct{}
	wg         sync.WaitGroup
}

func newReplyProxy(t *testing.T, srv *mailtest.Server, delay time.Duration, stallAfter int) *replyProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &replyProxy{ln: ln, target: srv.Addr(), delay: delay, stallAfter: stallAfter, done: make(chan struct{})}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() { close(p.done); ln.Close(); p.wg.Wait() })
	return p
}

func (p *replyProxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *replyProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.wg.Add(2)
		go func() { // client to server, as is
			defer p.wg.Done()
			io.Copy(s, c)
			s.Close()
		}()
		go func() {
			defer p.wg.Done()
			defer c.Close()
			defer s.Close()
			p.replies(c, s)
		}()
	}
}

// replies forwards the server's replies to the client, one whole reply at
// a time (RFC 5321 §4.2.1: the last line has a space after the code).
func (p *replyProxy) replies(c, s net.Conn) {
	br := bufio.NewReader(s)
	var reply []byte
	n := 0
	for {
		line, err := br.ReadBytes('\n')
		if err != nil {
			return
		}
		reply = append(reply, line...)
		if len(line) < 4 || line[3] != ' ' {
			continue
		}
		if p.stallAfter > 0 && n == p.stallAfter {
			<-p.done
			return
		}
		select {
		case <-time.After(p.delay):
		case <-p.done:
			return
		}
		if _, err := c.Write(reply); err != nil {
			return
		}
		reply, n = reply[:0], n+1
	}
}

// TestTransport_commandTimeouts proves a deadline on the commands the fault
// table does not reach: EHLO, AUTH, the DATA command and the body. Each
// stall fails within its own timeout as a transient timeout, never as an
// unknown outcome (the final "." never left) and never with a message
// delivered.
//
// The timeouts bound every step, the ones before the stall too: they are
// long enough (2s, ten times the fault table's) for the dial, greeting and
// EHLO to be answered in time on a busy machine under the race detector,
// so that the send fails at the stalled command and not earlier. The cases
// wait out their stall in parallel.
func TestTransport_commandTimeouts(t *testing.T) {
	stallTimeouts := func(c *SMTPConfig) {
		c.DialTimeout, c.CommandTimeout, c.DataTimeout = 2*time.Second, 2*time.Second, 2*time.Second
	}
	tests := []struct {
		name  string
		opts  []mailtest.Option
		proxy int // stall the reply after this many replies, through a replyProxy
		body  []byte
		op    string
	}{
		{name: "ehlo stalls", proxy: 1, op: OpHello},
		{name: "auth stalls", opts: []mailtest.Option{mailtest.RequireAuth("u", "pw"), mailtest.StallAt(mailtest.StageAuth)}, op: OpAuth},
		{name: "data command stalls", opts: []mailtest.Option{mailtest.StallAt(mailtest.StageDataCommand)}, op: OpData},
		{name: "body stalls", opts: []mailtest.Option{mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageData, Action: mailtest.Stall, After: 4096})},
			body: bigBody(), op: OpData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := mailtest.NewServer(t, tt.opts...)
			tr, _ := testTransport(t, srv, stallTimeouts)
			if tt.proxy > 0 {
				p := newReplyProxy(t, srv, 0, tt.proxy)
				tr.cfg.Port = p.port()
			}
			body := tt.body
			if body == nil {
				body = []byte(testMsg)
			}
			err := tr.send(context.Background(), "app@x.test", []string{"b@x.test"}, body)
			se := asSendError(t, err)
			wantClass(t, err, ErrTransient, ErrTimeout)
			if se.Op != tt.op {
				t.Errorf("send() = %v: Op %q, want %q", err, se.Op, tt.op)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server accepted %d messages, want none", n)
			}
		})
	}
}

// TestTransport_timeoutIsPerCommand proves that the command timeout bounds
// each reply, not the whole session (go-mail's timeout covers a whole
// send): every reply comes 250ms late, so two messages over one connection
// take about 2.7s in all, well past the 1.5s command and data timeouts,
// and yet each command is answered in time (with a sixfold margin, so a
// busy machine does not make it flaky) and both messages go through.
func TestTransport_timeoutIsPerCommand(t *testing.T) {
	srv := mailtest.NewServer(t)
	p := newReplyProxy(t, srv, 250*time.Millisecond, 0)
	tr, _ := testTransport(t, srv, func(c *SMTPConfig) {
		c.Port = p.port()
		c.CommandTimeout, c.DataTimeout = 1500*time.Millisecond, 1500*time.Millisecond
	})
	for i := range 2 {
		if err := send(tr, "b@x.test"); err != nil {
			t.Fatalf("send %d: %v (the timeout must restart with every command)", i, err)
		}
	}
	if st := srv.Stats(); st.Messages != 2 || st.Connections != 1 {
		t.Errorf("Stats() = %+v, want 2 messages over 1 connection", st)
	}
}

// TestTransport_ctxCancelledDuringCommand cancels ctx while the server
// holds back a reply, at each stage of the session before the final ".":
// with one-minute timeouts only ctx can end the send, which must return
// ctx's error (not an unknown outcome) and deliver nothing.
func TestTransport_ctxCancelledDuringCommand(t *testing.T) {
	tests := []struct {
		name string
		opts []mailtest.Option
	}{
		{"greeting", []mailtest.Option{mailtest.StallAt(mailtest.StageGreeting)}},
		{"auth", []mailtest.Option{mailtest.RequireAuth("u", "pw"), mailtest.StallAt(mailtest.StageAuth)}},
		{"mail", []mailtest.Option{mailtest.StallAt(mailtest.StageMail)}},
		{"rcpt", []mailtest.Option{mailtest.StallAt(mailtest.StageRcpt)}},
		{"data command", []mailtest.Option{mailtest.StallAt(mailtest.StageDataCommand)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tt.opts...)
			tr, _ := testTransport(t, srv, func(c *SMTPConfig) {
				c.CommandTimeout, c.DataTimeout = time.Minute, time.Minute
			})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := make(chan error, 1)
			go func() { errc <- tr.send(ctx, "app@x.test", []string{"b@x.test"}, []byte(testMsg)) }()
			wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer wcancel()
			if _, err := srv.Wait(wctx, func(st mailtest.Stats) bool { return st.Faults > 0 }); err != nil {
				t.Fatalf("the server never stalled: %v", err)
			}
			cancel()
			err := <-errc
			if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnknownOutcome) {
				t.Errorf("send() = %v, want context.Canceled before the final dot", err)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server accepted %d messages, want none", n)
			}
			if n := len(tr.idle); n != 0 {
				t.Errorf("%d idle connections after a cancelled send, want its connection closed", n)
			}
		})
	}
}

// TestTransport_droppedConnection proves our classification where go-mail
// reports a dropped connection as permanent: a server that hangs up at any
// stage before the final "." gives a transient error (trying again may
// work), and no message.
func TestTransport_droppedConnection(t *testing.T) {
	drop := func(stage mailtest.Stage, after int) mailtest.Option {
		return mailtest.WithFault(mailtest.Fault{Stage: stage, Action: mailtest.Drop, After: after})
	}
	tests := []struct {
		name string
		opts []mailtest.Option
		body []byte
		op   string
	}{
		{"greeting", []mailtest.Option{drop(mailtest.StageGreeting, 0)}, nil, OpGreeting},
		{"auth", []mailtest.Option{mailtest.RequireAuth("u", "pw"), drop(mailtest.StageAuth, 0)}, nil, OpAuth},
		{"mail", []mailtest.Option{drop(mailtest.StageMail, 0)}, nil, OpMail},
		{"rcpt", []mailtest.Option{drop(mailtest.StageRcpt, 0)}, nil, OpRcpt},
		{"data command", []mailtest.Option{drop(mailtest.StageDataCommand, 0)}, nil, OpData},
		{"mid-body", []mailtest.Option{drop(mailtest.StageData, 4096)}, bigBody(), OpData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tt.opts...)
			tr, _ := testTransport(t, srv, short)
			body := tt.body
			if body == nil {
				body = []byte(testMsg)
			}
			err := tr.send(context.Background(), "app@x.test", []string{"b@x.test"}, body)
			se := asSendError(t, err)
			if !errors.Is(err, ErrTransient) || errors.Is(err, ErrPermanent) || errors.Is(err, ErrUnknownOutcome) || errors.Is(err, ErrAuth) {
				t.Errorf("send() = %v, want a transient error only", err)
			}
			if se.Op != tt.op {
				t.Errorf("send() = %v: Op %q, want %q", err, se.Op, tt.op)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server accepted %d messages, want none", n)
			}
		})
	}
}
