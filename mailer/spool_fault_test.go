package mailer

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// spoolSMTP returns the SMTP configuration of srv with short timeouts.
func spoolSMTP(t *testing.T, url string) *SMTPConfig {
	t.Helper()
	cfg, err := ParseSMTPURL(url)
	if err != nil {
		t.Fatalf("ParseSMTPURL(%q): %v", url, err)
	}
	cfg.DialTimeout = 2 * time.Second
	cfg.CommandTimeout = 500 * time.Millisecond
	cfg.DataTimeout = 500 * time.Millisecond
	return cfg
}

// closedPort returns a loopback address nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestSpool_faults runs every SMTP row of FAULTS.md through the spool,
// against mailtest: each outcome lands in the right folder with the
// server's answer kept, and only the retryable ones are tried again.
func TestSpool_faults(t *testing.T) {
	tests := []struct {
		name  string
		srv   []mailtest.Option
		url   func(t *testing.T, srv *mailtest.Server) string // nil: srv.URL()
		tls   bool                                            // trust the server's certificate
		to    []string
		opts  SpoolOptions
		retry bool // retry until the queue is empty (else one attempt)
		big   bool // a message larger than socket buffers

		want      SpoolState
		wantIs    []error // the last error matches each (errors.Is)
		wantCode  int     // in the failure file or the last error
		wantMsgs  int     // messages the server accepted
		wantTries int     // delivery attempts recorded
	}{
		{name: "dial refused", url: func(t *testing.T, _ *mailtest.Server) string {
			return "smtp+insecure://" + closedPort(t)
		}, want: StateQueued, wantIs: []error{ErrTransient}, wantTries: 1},
		{name: "greeting 421", srv: []mailtest.Option{mailtest.RejectGreeting(421)},
			want: StateQueued, wantIs: []error{ErrTransient}, wantCode: 421, wantTries: 1},
		// Server-level failures, even permanent ones, keep the message
		// queued and pause the queue: the message is not at fault.
		{name: "greeting 554", srv: []mailtest.Option{mailtest.RejectGreeting(554)},
			want: StateQueued, wantIs: []error{ErrPermanent}, wantCode: 554, wantTries: 1},
		{name: "no greeting", srv: []mailtest.Option{mailtest.StallAt(mailtest.StageGreeting)},
			want: StateQueued, wantIs: []error{ErrTransient, ErrTimeout}, wantTries: 1},
		{name: "self-signed certificate under STARTTLS", srv: []mailtest.Option{mailtest.StartTLS()},
			want: StateQueued, wantIs: []error{ErrPermanent, ErrTLS}, wantTries: 1},
		{name: "STARTTLS not offered", url: func(t *testing.T, srv *mailtest.Server) string {
			return "smtp://" + srv.Addr()
		}, want: StateQueued, wantIs: []error{ErrTLS}, wantTries: 1},
		{name: "AUTH 535", srv: []mailtest.Option{mailtest.RequireAuth("app", "right")},
			url: func(t *testing.T, srv *mailtest.Server) string {
				return "smtp+insecure://app:wrong@" + srv.Addr()
			}, want: StateQueued, wantIs: []error{ErrPermanent, ErrAuth}, wantCode: 535, wantTries: 1},
		{name: "RCPT 452", srv: []mailtest.Option{mailtest.RejectRcpt(452)},
			want: StateQueued, wantIs: []error{ErrTransient}, wantCode: 452, wantTries: 1},
		{name: "RCPT 552 too many recipients", srv: []mailtest.Option{mailtest.RejectRcpt(552)},
			want: StateQueued, wantIs: []error{ErrTransient}, wantCode: 552, wantTries: 1},
		{name: "one of three recipients 550", srv: []mailtest.Option{mailtest.RejectRcptFor("b@partner.test", 550)},
			to:   []string{"a@partner.test", "b@partner.test", "c@partner.test"},
			want: StateFailed, wantIs: []error{ErrPermanent}, wantMsgs: 1, wantTries: 1},
		{name: "end of DATA 552", srv: []mailtest.Option{mailtest.RejectData(552)},
			want: StateFailed, wantIs: []error{ErrPermanent}, wantCode: 552, wantTries: 1},
		{name: "end of DATA 554", srv: []mailtest.Option{mailtest.RejectData(554)},
			want: StateFailed, wantIs: []error{ErrPermanent}, wantCode: 554, wantTries: 1},
		{name: "end of DATA 451 then accepted", srv: []mailtest.Option{mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageDataEnd, Code: 451, Times: 1})},
			retry: true, want: StateSent, wantMsgs: 1, wantTries: 2},
		{name: "reset mid-body", srv: []mailtest.Option{mailtest.DropMidData(4096)}, big: true,
			want: StateQueued, wantIs: []error{ErrTransient}, wantTries: 1},
		{name: "stall after the final dot", srv: []mailtest.Option{mailtest.StallAt(mailtest.StageDataEnd)},
			want: StateUnknown, wantIs: []error{ErrUnknownOutcome, ErrTimeout}, wantMsgs: 1, wantTries: 1},
		{name: "reply lost after the final dot", srv: []mailtest.Option{mailtest.DropAfterData()},
			want: StateUnknown, wantIs: []error{ErrUnknownOutcome}, wantMsgs: 1, wantTries: 1},
		{name: "reply lost, RetryUnknown", srv: []mailtest.Option{mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageDataEnd, Action: mailtest.Drop, Times: 1})},
			opts: SpoolOptions{RetryUnknown: true}, retry: true, want: StateSent, wantMsgs: 2, wantTries: 2},
		{name: "250 then the connection drops", srv: []mailtest.Option{mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageAccepted, Action: mailtest.Drop})},
			want: StateSent, wantMsgs: 1, wantTries: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tt.srv...)
			url := srv.URL()
			if tt.url != nil {
				url = tt.url(t, srv)
			}
			cfg := spoolSMTP(t, url)
			opts := tt.opts
			opts.SMTP = cfg
			var mu sync.Mutex
			var lastErr error
			opts.OnResult = func(r SpoolResult) {
				mu.Lock()
				lastErr = r.Err
				mu.Unlock()
			}
			opts.MinBackoff = time.Hour // one attempt unless retry
			if tt.retry {
				opts.MinBackoff, opts.MaxBackoff = time.Millisecond, 5*time.Millisecond
			}
			s := quickSpool(t, opts)
			env := spoolEnv(1)
			if tt.to != nil {
				env.To = tt.to
			}
			if tt.big {
				env.Data = append([]byte("Message-ID: "+env.MessageID+"\r\n"), bigBody()...)
			}
			id := spoolMustEnqueue(t, s, env)

			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			until := time.Now() // after the first attempt, the retry is an hour away
			if tt.retry {
				until = time.Time{}
			}
			start := time.Now()
			if err := s.Drain(ctx, until); err != nil {
				t.Fatalf("Drain: %v", err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("Drain took %v: a fault hung past its timeout", d)
			}

			e, err := s.Lookup(id)
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if e.State != tt.want {
				t.Fatalf("state = %v, want %v (last error: %s)", e.State, tt.want, e.LastError)
			}
			if e.Attempts != tt.wantTries {
				t.Errorf("Attempts = %d, want %d", e.Attempts, tt.wantTries)
			}
			msgs := srv.Messages()
			if len(msgs) != tt.wantMsgs {
				t.Errorf("server accepted %d messages, want %d", len(msgs), tt.wantMsgs)
			}
			for _, m := range msgs {
				if !bytes.Equal(m.Data, env.Data) {
					t.Errorf("server got %q, want the spooled bytes (same Message-ID)", m.Data)
				}
			}
			if len(tt.wantIs) == 0 {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			code := 0
			var se *SendError
			if errors.As(lastErr, &se) {
				code = se.Code
				if code == 0 && len(se.Rejected) > 0 {
					code = se.Rejected[0].Code
				}
			}
			if tt.want == StateQueued {
				if e.LastError == "" {
					t.Errorf("LastError is empty, want the error kept")
				}
			} else {
				f, err := s.Failure(id)
				if err != nil {
					t.Fatalf("Failure: %v", err)
				}
				if f.Error == "" || f.Class == "" || f.Code != se.Code {
					t.Errorf("failure file = %+v, want the error, its class and code %d", f, se.Code)
				}
			}
			for _, target := range tt.wantIs {
				if !errors.Is(lastErr, target) {
					t.Errorf("error %v does not match %v", lastErr, target)
				}
			}
			if tt.wantCode != 0 && code != tt.wantCode {
				t.Errorf("SMTP code kept = %d, want %d", code, tt.wantCode)
			}
		})
	}
}

// A message that keeps failing does not block the rest: the server refuses
// one recipient with 451 for ever, and every other message goes out.
func TestSpool_faults_badMessageDoesNotBlock(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.RejectRcptFor("p0@partner.test", 451))
	s := quickSpool(t, SpoolOptions{SMTP: spoolSMTP(t, srv.URL()), Concurrency: 1,
		MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxAge: time.Hour})
	for i := range 30 {
		spoolMustEnqueue(t, s, spoolEnv(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() { errc <- s.Run(runCtx) }()
	if _, err := srv.WaitMessages(ctx, 29); err != nil {
		t.Fatalf("WaitMessages(29): %v (the failing message blocked the queue)", err)
	}
	for spoolCounts(t, s)[StateSent] < 29 && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond) // the last 250 is being filed
	}
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	n := spoolCounts(t, s)
	if n[StateSent] != 29 || n[StateQueued] != 1 {
		t.Errorf("folders = %v, want 29 sent and 1 queued", n)
	}
}

// A batch over several reused connections sends each message exactly once,
// and a server closing an idle connection with 421 costs nothing.
func TestSpool_faults_concurrentBatch(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageAccepted, Code: 421, Times: 3}))
	const n = 200
	s := quickSpool(t, SpoolOptions{SMTP: spoolSMTP(t, srv.URL()), Concurrency: 4})
	for i := range n {
		spoolMustEnqueue(t, s, spoolEnv(i))
	}
	spoolDrain(t, s)
	msgs := srv.Messages()
	if len(msgs) != n {
		t.Fatalf("server accepted %d messages, want exactly %d", len(msgs), n)
	}
	seen := map[string]bool{}
	conns := map[int]bool{}
	for _, m := range msgs {
		seen[m.To[0]] = true
		conns[m.Conn] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct recipients, want %d", len(seen), n)
	}
	if len(conns) > 4+3 {
		t.Errorf("%d connections for %d messages, want them reused (at most 4 + 3 after the 421s)", len(conns), n)
	}
	if c := spoolCounts(t, s); c[StateSent] != n {
		t.Errorf("sent/ holds %d, want %d", c[StateSent], n)
	}
}

// Cancelling Run while a message is in the middle of DATA returns promptly
// and leaves the message queued, attempts unchanged.
func TestSpool_faults_cancelMidData(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageData, Action: mailtest.Stall, After: 4096}))
	cfg := spoolSMTP(t, srv.URL())
	cfg.DataTimeout = time.Minute
	started := make(chan struct{}, 1)
	s := quickSpool(t, SpoolOptions{SMTP: cfg})
	env := spoolEnv(1)
	env.Data = bigBody()
	id := spoolMustEnqueue(t, s, env)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	go func() {
		for srv.Stats().Faults == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		started <- struct{}{}
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the server never stalled")
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	e, err := s.Lookup(id)
	if err != nil || e.State != StateQueued || e.Attempts != 0 {
		t.Fatalf("Lookup = %+v, %v; want queued with no attempt counted", e, err)
	}
}

// spoolTestLogger logs through t.Log.
func spoolTestLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(spoolTLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type spoolTLogWriter struct{ t *testing.T }

func (w spoolTLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
