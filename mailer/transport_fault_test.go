package mailer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// short makes every timeout one second, so that a fault test is bounded,
// yet the steps before the fault a test plays are answered in time on a
// busy machine under the race detector.
func short(c *SMTPConfig) {
	c.DialTimeout, c.CommandTimeout, c.DataTimeout = time.Second, time.Second, time.Second
}

// TestTransport_faults plays the SMTP rows of FAULTS.md against mailtest.
func TestTransport_faults(t *testing.T) {
	three := []string{"b@x.test", "c@x.test", "d@x.test"}
	tests := []struct {
		name     string
		opts     []mailtest.Option
		to       []string
		want     []error // class sentinels the error matches, exactly
		op       string
		code     int
		rejected map[string]int // recipient -> code
		received []string       // recipients the server got the message for
	}{
		{name: "greeting 421", opts: []mailtest.Option{mailtest.RejectGreeting(421)},
			want: []error{ErrTransient}, op: OpGreeting, code: 421},
		{name: "greeting 554", opts: []mailtest.Option{mailtest.RejectGreeting(554)},
			want: []error{ErrPermanent}, op: OpGreeting, code: 554},
		{name: "no greeting", opts: []mailtest.Option{mailtest.StallAt(mailtest.StageGreeting)},
			want: []error{ErrTransient, ErrTimeout}, op: OpGreeting},
		{name: "tls handshake stalls", opts: []mailtest.Option{mailtest.ImplicitTLS(), mailtest.StallAt(mailtest.StageGreeting)},
			want: []error{ErrTransient, ErrTimeout, ErrTLS}, op: OpTLS},
		{name: "greeting 421 over implicit tls", opts: []mailtest.Option{mailtest.ImplicitTLS(), mailtest.RejectGreeting(421)},
			want: []error{ErrTransient}, op: OpGreeting, code: 421},
		{name: "mail 451", opts: []mailtest.Option{mailtest.RejectMail(451)},
			want: []error{ErrTransient}, op: OpMail, code: 451},
		{name: "mail 550", opts: []mailtest.Option{mailtest.RejectMail(550)},
			want: []error{ErrPermanent}, op: OpMail, code: 550},
		{name: "mail 552 for a declared size", opts: []mailtest.Option{mailtest.MaxMessageBytes(10)},
			want: []error{ErrPermanent}, op: OpMail, code: 552},
		{name: "mail stalls", opts: []mailtest.Option{mailtest.StallAt(mailtest.StageMail)},
			want: []error{ErrTransient, ErrTimeout}, op: OpMail},
		{name: "rcpt 452 for the only recipient", opts: []mailtest.Option{mailtest.RejectRcpt(452)},
			want: []error{ErrTransient}, op: OpRcpt, code: 452, rejected: map[string]int{"b@x.test": 452}},
		{name: "rcpt 452 for one of three", opts: []mailtest.Option{mailtest.RejectRcptFor("c@x.test", 452)}, to: three,
			want: []error{ErrTransient}, op: OpRcpt, rejected: map[string]int{"c@x.test": 452}, received: []string{"b@x.test", "d@x.test"}},
		{name: "rcpt 552 too many recipients", opts: []mailtest.Option{mailtest.RejectRcptFor("d@x.test", 552)}, to: three,
			want: []error{ErrTransient}, op: OpRcpt, rejected: map[string]int{"d@x.test": 552}, received: []string{"b@x.test", "c@x.test"}},
		{name: "rcpt 550 for one of three", opts: []mailtest.Option{mailtest.RejectRcptFor("c@x.test", 550)}, to: three,
			want: []error{ErrPermanent}, op: OpRcpt, rejected: map[string]int{"c@x.test": 550}, received: []string{"b@x.test", "d@x.test"}},
		{name: "rcpt 550 for all", opts: []mailtest.Option{mailtest.RejectRcpt(550)}, to: three,
			want: []error{ErrPermanent}, op: OpRcpt, rejected: map[string]int{"b@x.test": 550, "c@x.test": 550, "d@x.test": 550}},
		{name: "rcpt stalls", opts: []mailtest.Option{mailtest.StallAt(mailtest.StageRcpt)},
			want: []error{ErrTransient, ErrTimeout}, op: OpRcpt},
		{name: "data end 451", opts: []mailtest.Option{mailtest.RejectData(451)},
			want: []error{ErrTransient}, op: OpData, code: 451},
		{name: "data end 552", opts: []mailtest.Option{mailtest.RejectData(552)},
			want: []error{ErrPermanent}, op: OpData, code: 552},
		{name: "data end 554", opts: []mailtest.Option{mailtest.RejectData(554)},
			want: []error{ErrPermanent}, op: OpData, code: 554},
		{name: "stall after final dot", opts: []mailtest.Option{mailtest.StallAt(mailtest.StageDataEnd)},
			want: []error{ErrUnknownOutcome, ErrTimeout}, op: OpData, received: []string{"b@x.test"}},
		{name: "drop after final dot", opts: []mailtest.Option{mailtest.DropAfterData()},
			want: []error{ErrUnknownOutcome}, op: OpData, received: []string{"b@x.test"}},
	}
	// Every row runs with the commands pipelined (RFC 2920: mailtest
	// offers PIPELINING) and one by one.
	for _, pipe := range []string{"pipelined", "one by one"} {
		for _, tt := range tests {
			t.Run(pipe+"/"+tt.name, func(t *testing.T) {
				srv := mailtest.NewServer(t, tt.opts...)
				tr, _ := testTransport(t, srv, func(c *SMTPConfig) { short(c); c.NoPipelining = pipe != "pipelined" })
				to := tt.to
				if to == nil {
					to = []string{"b@x.test"}
				}
				err := tr.send(context.Background(), "app@x.test", to, []byte(testMsg))
				se := asSendError(t, err)
				wantClass(t, err, tt.want...)
				if se.Op != tt.op || se.Code != tt.code {
					t.Errorf("send() = %v: Op %q Code %d, want %q %d", err, se.Op, se.Code, tt.op, tt.code)
				}
				if se.Temporary() != errors.Is(err, ErrTransient) {
					t.Errorf("Temporary() = %v, want %v", se.Temporary(), errors.Is(err, ErrTransient))
				}
				got := map[string]int{}
				for _, r := range se.Rejected {
					got[r.Rcpt] = r.Code
					if r.Temporary() != (r.Code/100 == 4 || r.Code == 552) {
						t.Errorf("RcptError %v: Temporary() = %v", r, r.Temporary())
					}
				}
				if len(got) != len(tt.rejected) {
					t.Errorf("Rejected = %v, want %v", se.Rejected, tt.rejected)
				}
				for r, c := range tt.rejected {
					if got[r] != c {
						t.Errorf("Rejected[%s] = %d, want %d", r, got[r], c)
					}
				}
				msgs := srv.Messages()
				if len(tt.received) == 0 {
					if len(msgs) != 0 {
						t.Errorf("server accepted %d messages, want none", len(msgs))
					}
					return
				}
				if len(msgs) != 1 || strings.Join(msgs[0].To, ",") != strings.Join(tt.received, ",") {
					t.Fatalf("server got %+v, want one message to %v", msgs, tt.received)
				}
				if len(tt.rejected) > 0 && strings.Join(se.Accepted, ",") != strings.Join(tt.received, ",") {
					t.Errorf("Accepted = %v, want %v", se.Accepted, tt.received)
				}
			})
		}
	}
}

func TestTransport_dialRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	tr := newTransport(&SMTPConfig{Host: "127.0.0.1", Port: addr.Port, Security: SecurityNone, DialTimeout: 200 * time.Millisecond}, nil)
	err = send(tr, "b@x.test")
	se := asSendError(t, err)
	wantClass(t, err, ErrTransient)
	if se.Op != OpDial {
		t.Errorf("Op = %q, want dial", se.Op)
	}
}

// TestTransport_greeting421SendsNothing checks with a raw listener that the
// client says nothing (no EHLO) after a 421 greeting, and closes.
func TestTransport_greeting421SendsNothing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	heard := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			heard <- "accept: " + err.Error()
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, "421 4.3.2 Service shutting down\r\n")
		b, _ := io.ReadAll(c) // ends when the client closes
		heard <- string(b)
	}()
	tr := newTransport(&SMTPConfig{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Security: SecurityNone}, nil)
	err = send(tr, "b@x.test")
	se := asSendError(t, err)
	wantClass(t, err, ErrTransient)
	if se.Op != OpGreeting || se.Code != 421 || se.Enhanced != "4.3.2" || se.Msg != "Service shutting down" {
		t.Errorf("send() = %+v, want greeting 421 4.3.2", se)
	}
	if got := <-heard; got != "" {
		t.Errorf("client sent %q after a 421 greeting, want nothing", got)
	}
}

func TestTransport_rcptRejectedSendsRSET(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageRcpt, Code: 452, Times: 1}))
	tr, _ := testTransport(t, srv, nil)
	if err := send(tr, "b@x.test"); !errors.Is(err, ErrTransient) {
		t.Fatalf("first send() = %v, want ErrTransient", err)
	}
	if err := send(tr, "b@x.test"); err != nil {
		t.Fatalf("second send() = %v", err)
	}
	// go-smtp's client says EHLO again after RSET, which counts too.
	if st := srv.Stats(); st.Resets < 1 || st.Connections != 1 || st.Messages != 1 {
		t.Errorf("Stats() = %+v, want an RSET, 1 connection, 1 message", st)
	}
}

func TestTransport_resetMidData(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.DropMidData(4096))
	tr, _ := testTransport(t, srv, nil)
	err := tr.send(context.Background(), "app@x.test", []string{"b@x.test"}, bigBody())
	se := asSendError(t, err)
	wantClass(t, err, ErrTransient)
	if se.Op != OpData || se.Code != 0 {
		t.Errorf("send() = %v, want a data error without reply", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server accepted %d messages, want none", n)
	}
}

func TestTransport_ctxCancelledMidData(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageData, Action: mailtest.Stall, After: 4096}))
	// Long timeouts: only ctx can end this send in time.
	tr, _ := testTransport(t, srv, func(c *SMTPConfig) { c.CommandTimeout, c.DataTimeout = time.Minute, time.Minute })
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- tr.send(ctx, "app@x.test", []string{"b@x.test"}, bigBody()) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	if _, err := srv.Wait(wctx, func(st mailtest.Stats) bool { return st.Faults > 0 }); err != nil {
		t.Fatalf("the server never stalled: %v", err)
	}
	cancel()
	err := <-errc
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnknownOutcome) || errors.Is(err, ErrTimeout) {
		t.Errorf("send() = %v, want context.Canceled before the final dot", err)
	}
	if n := len(tr.idle); n != 0 {
		t.Errorf("%d idle connections after a cancelled send, want its connection closed", n)
	}
}

func TestTransport_ctxCancelledAfterDot(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.StallAt(mailtest.StageDataEnd))
	tr, _ := testTransport(t, srv, func(c *SMTPConfig) { c.DataTimeout = time.Minute })
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- tr.send(ctx, "app@x.test", []string{"b@x.test"}, []byte(testMsg)) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	if _, err := srv.WaitMessages(wctx, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	err := <-errc
	wantClass(t, err, ErrUnknownOutcome)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("send() = %v, want it to match context.Canceled too", err)
	}
}

func TestTransport_ctxAlreadyDone(t *testing.T) {
	srv := mailtest.NewServer(t)
	tr, _ := testTransport(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := tr.send(ctx, "app@x.test", []string{"b@x.test"}, []byte(testMsg)); !errors.Is(err, context.Canceled) {
		t.Errorf("send(cancelled ctx) = %v, want context.Canceled", err)
	}
	if st := srv.Stats(); st.Connections != 0 {
		t.Errorf("server saw %d connections, want none", st.Connections)
	}
}

func TestTransport_idle421Reconnects(t *testing.T) {
	for _, pipe := range []bool{false, true} {
		t.Run(fmt.Sprint("pipelined=", pipe), func(t *testing.T) { testIdle421Reconnects(t, pipe) })
	}
}

// testIdle421Reconnects: the server says 421 right after a message's 250.
// One by one, the next MAIL meets the 421 and the transport dials again;
// pipelined, the 421 may already be read with the 250 (the connection is
// then closed at once) or meet the next MAIL, as one by one.
func testIdle421Reconnects(t *testing.T, pipe bool) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageAccepted, Code: 421, Times: 1}))
	tr, logs := testTransport(t, srv, func(c *SMTPConfig) { c.NoPipelining = !pipe })
	for i := range 3 {
		if err := send(tr, "b@x.test"); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	got := srv.Messages()
	if len(got) != 3 {
		t.Fatalf("server got %d messages, want 3 (one delivery each)", len(got))
	}
	if got[0].Conn != 1 || got[1].Conn != 2 || got[2].Conn != 2 {
		t.Errorf("messages came over connections %d, %d, %d, want 1, 2, 2", got[0].Conn, got[1].Conn, got[2].Conn)
	}
	if !strings.Contains(logs.String(), "dialling again") && !(pipe && strings.Contains(logs.String(), "said more than it was asked")) {
		t.Errorf("log does not mention the reconnect:\n%s", logs)
	}
}

func TestTransport_oldIdleConnectionReplaced(t *testing.T) {
	srv := mailtest.NewServer(t)
	tr, _ := testTransport(t, srv, nil)
	var mu sync.Mutex
	now := time.Now()
	tr.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	if err := send(tr, "b@x.test"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(smtpIdleLimit + time.Second)
	mu.Unlock()
	if err := send(tr, "b@x.test"); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 2 || got[0].Conn != 1 || got[1].Conn != 2 {
		t.Errorf("server got %d messages over %v, want 2 over connections 1 then 2", len(got), got)
	}
}

func TestTransport_quitFailsAfterAccept(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageAccepted, Action: mailtest.Drop}))
	tr, logs := testTransport(t, srv, nil)
	if err := send(tr, "b@x.test"); err != nil {
		t.Fatalf("send() = %v, want success: the server answered 250", err)
	}
	if err := tr.close(); err != nil {
		t.Errorf("close() = %v, want nil", err)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "QUIT failed") {
		t.Errorf("log has no warning about QUIT:\n%s", logs)
	}
	if n := srv.Stats().Messages; n != 1 {
		t.Errorf("server got %d messages, want 1 (never resent)", n)
	}
}

// TestTransport_releasesGoroutines runs the hanging faults and checks that
// every goroutine they started ends once servers and transports are closed.
func TestTransport_releasesGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, stage := range []mailtest.Stage{mailtest.StageGreeting, mailtest.StageMail, mailtest.StageDataEnd} {
		srv, err := mailtest.Listen("127.0.0.1:0", mailtest.StallAt(stage))
		if err != nil {
			t.Fatal(err)
		}
		cfg, _ := ParseSMTPURL(srv.URL())
		short(cfg)
		tr := newTransport(cfg, nil)
		ctx, cancel := context.WithCancel(context.Background())
		if err := tr.send(ctx, "app@x.test", []string{"b@x.test"}, []byte(testMsg)); err == nil {
			t.Errorf("send() with a stall at %v succeeded", stage)
		}
		cancel()
		tr.close()
		srv.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left, had %d:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTransport_ctxCancelledWaitingForConnection(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.StallAt(mailtest.StageDataEnd))
	tr, _ := testTransport(t, srv, func(c *SMTPConfig) { c.MaxConns, c.DataTimeout = 1, time.Minute })
	ctx1, cancel1 := context.WithCancel(context.Background())
	defer cancel1()
	first := make(chan error, 1)
	go func() { first <- tr.send(ctx1, "app@x.test", []string{"b@x.test"}, []byte(testMsg)) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	if _, err := srv.WaitMessages(wctx, 1); err != nil {
		t.Fatal(err)
	}
	// The only connection is busy: the second send waits for it, until ctx ends.
	ctx2, cancel2 := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() { second <- tr.send(ctx2, "app@x.test", []string{"c@x.test"}, []byte(testMsg)) }()
	cancel2()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Errorf("second send() = %v, want context.Canceled", err)
	}
	cancel1()
	if err := <-first; !errors.Is(err, ErrUnknownOutcome) {
		t.Errorf("first send() = %v, want ErrUnknownOutcome", err)
	}
	if st := srv.Stats(); st.Connections != 1 {
		t.Errorf("server saw %d connections, want 1 (MaxConns)", st.Connections)
	}
}
