// Package outboxtest holds the tests every outbox store must pass: the
// store-independent outbox rows of FAULTS.md (each SMTP fault meets the
// one set of delivery rules, a relay outage loses nothing and burns no
// attempt, an idempotency key enqueues once, a person's retry, MaxAge,
// shutdown), run against a real SMTP server in process
// (mailer/mailtest). A store's own tests call [Faults] with a function
// that opens a fresh, empty store.
package outboxtest

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox"
)

// Open returns a fresh, empty store that delivers with tr under rules.
// The store may be closed by the test (Close, Shutdown); Open registers
// whatever else it needs to release with t.Cleanup.
type Open func(t *testing.T, tr mailer.Transport, rules outbox.Rules) outbox.Store

// Faults runs every store-independent outbox case against the stores open
// makes.
func Faults(t *testing.T, open Open) {
	t.Run("smtp", func(t *testing.T) { smtpFaults(t, open) })
	t.Run("relay unreachable loses nothing", func(t *testing.T) { relayDown(t, open) })
	t.Run("same key enqueued twice", func(t *testing.T) { sameKey(t, open) })
	t.Run("retry failed and unknown", func(t *testing.T) { retry(t, open) })
	t.Run("MaxAge gives up", func(t *testing.T) { maxAge(t, open) })
	t.Run("shutdown lets a send finish", func(t *testing.T) { shutdownWaits(t, open) })
	t.Run("shutdown deadline cuts a send short", func(t *testing.T) { shutdownCuts(t, open) })
}

// row is one SMTP row of FAULTS.md.
type row struct {
	name  string
	srv   []mailtest.Option
	url   func(t *testing.T, srv *mailtest.Server) string // nil: srv.URL()
	to    []string
	rules outbox.Rules
	retry bool // retry until sent (else one attempt)
	big   bool // a message larger than socket buffers

	want      outbox.State
	wantCode  int // the SMTP code kept (failure, or last error)
	wantMsgs  int // messages the server accepted
	wantTries int // delivery attempts counted (server-level failures do not count)
	wantClass string
}

var rows = []row{
	{name: "dial refused", url: func(t *testing.T, _ *mailtest.Server) string {
		return "smtp+insecure://" + ClosedPort(t)
	}, want: outbox.StateQueued},
	// Server-level failures, even permanent ones, keep the message queued
	// and pause the queue: the message is not at fault, no attempt burned.
	{name: "greeting 421", srv: []mailtest.Option{mailtest.RejectGreeting(421)},
		want: outbox.StateQueued, wantCode: 421},
	{name: "greeting 554", srv: []mailtest.Option{mailtest.RejectGreeting(554)},
		want: outbox.StateQueued, wantCode: 554},
	{name: "no greeting", srv: []mailtest.Option{mailtest.StallAt(mailtest.StageGreeting)},
		want: outbox.StateQueued},
	{name: "self-signed certificate under STARTTLS", srv: []mailtest.Option{mailtest.StartTLS()},
		want: outbox.StateQueued},
	{name: "STARTTLS not offered", url: func(t *testing.T, srv *mailtest.Server) string {
		return "smtp://" + srv.Addr()
	}, want: outbox.StateQueued},
	{name: "AUTH 535", srv: []mailtest.Option{mailtest.RequireAuth("app", "right")},
		url: func(t *testing.T, srv *mailtest.Server) string {
			return "smtp+insecure://app:wrong@" + srv.Addr()
		}, want: outbox.StateQueued, wantCode: 535},
	{name: "RCPT 452", srv: []mailtest.Option{mailtest.RejectRcpt(452)},
		want: outbox.StateQueued, wantCode: 452, wantTries: 1},
	{name: "RCPT 552 too many recipients", srv: []mailtest.Option{mailtest.RejectRcpt(552)},
		want: outbox.StateQueued, wantCode: 552, wantTries: 1},
	{name: "one of three recipients 550", srv: []mailtest.Option{mailtest.RejectRcptFor("b@partner.test", 550)},
		to:   []string{"a@partner.test", "b@partner.test", "c@partner.test"},
		want: outbox.StateFailed, wantCode: 550, wantMsgs: 1, wantTries: 1, wantClass: "permanent"},
	{name: "end of DATA 552", srv: []mailtest.Option{mailtest.RejectData(552)},
		want: outbox.StateFailed, wantCode: 552, wantTries: 1, wantClass: "permanent"},
	{name: "end of DATA 554", srv: []mailtest.Option{mailtest.RejectData(554)},
		want: outbox.StateFailed, wantCode: 554, wantTries: 1, wantClass: "permanent"},
	{name: "end of DATA 451 then accepted", srv: []mailtest.Option{mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageDataEnd, Code: 451, Times: 1})},
		retry: true, want: outbox.StateSent, wantMsgs: 1, wantTries: 2},
	{name: "reset mid-body", srv: []mailtest.Option{mailtest.DropMidData(4096)}, big: true,
		want: outbox.StateQueued, wantTries: 1},
	{name: "stall after the final dot", srv: []mailtest.Option{mailtest.StallAt(mailtest.StageDataEnd)},
		want: outbox.StateUnknown, wantMsgs: 1, wantTries: 1, wantClass: "unknown"},
	{name: "reply lost after the final dot", srv: []mailtest.Option{mailtest.DropAfterData()},
		want: outbox.StateUnknown, wantMsgs: 1, wantTries: 1, wantClass: "unknown"},
	{name: "reply lost, RetryUnknown", srv: []mailtest.Option{mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageDataEnd, Action: mailtest.Drop, Times: 1})},
		rules: outbox.Rules{RetryUnknown: true}, retry: true, want: outbox.StateSent, wantMsgs: 2, wantTries: 2},
	{name: "250 then the connection drops", srv: []mailtest.Option{mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageAccepted, Action: mailtest.Drop})},
		want: outbox.StateSent, wantMsgs: 1, wantTries: 1},
}

// smtpFaults runs every SMTP row of FAULTS.md through the store: each
// outcome ends in the right state with the server's answer kept, and only
// the retryable ones are tried again, with the same bytes.
func smtpFaults(t *testing.T, open Open) {
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tt.srv...)
			url := srv.URL()
			if tt.url != nil {
				url = tt.url(t, srv)
			}
			s := open(t, Transport(t, url), tt.storeRules())
			env := tt.envelope()
			id := mustEnqueue(t, s, env)

			stop := run(t, s)
			e := waitFor(t, s, id, func(e *outbox.Entry) bool {
				if tt.want == outbox.StateQueued {
					return e.State == outbox.StateQueued && e.LastError != ""
				}
				return e.State == tt.want
			})
			stop()

			if e.Attempts != tt.wantTries {
				t.Errorf("Attempts = %d, want %d (last error: %s)", e.Attempts, tt.wantTries, e.LastError)
			}
			msgs := srv.Messages()
			if len(msgs) != tt.wantMsgs {
				t.Errorf("server accepted %d messages, want %d", len(msgs), tt.wantMsgs)
			}
			for _, m := range msgs {
				if !bytes.Equal(m.Data, env.Data) {
					t.Errorf("server got %.60q…, want the enqueued bytes (same Message-ID)", m.Data)
				}
			}
			tt.checkAnswerKept(t, e)
		})
	}
}

// storeRules returns the row's rules: one attempt, or quick retries when
// the row retries until sent.
func (tt row) storeRules() outbox.Rules {
	rules := tt.rules
	rules.MinBackoff = time.Hour // one attempt unless retry
	if tt.retry {
		rules.MinBackoff, rules.MaxBackoff = time.Millisecond, 5*time.Millisecond
	}
	return rules
}

// envelope returns the message the row enqueues.
func (tt row) envelope() *mailer.Envelope {
	env := Envelope(1)
	if tt.to != nil {
		env.To = tt.to
	}
	if tt.big {
		env.Data = append([]byte("Message-ID: "+env.MessageID+"\r\n"), BigBody()...)
	}
	return env
}

// checkAnswerKept checks that e, the row's message at its end, keeps the
// server's answer: in its last error while queued, as its Failure when
// failed or unknown.
func (tt row) checkAnswerKept(t *testing.T, e *outbox.Entry) {
	t.Helper()
	switch tt.want {
	case outbox.StateQueued:
		if tt.wantCode != 0 && !strings.Contains(e.LastError, strconv.Itoa(tt.wantCode)) {
			t.Errorf("LastError = %q, want the server's %d kept", e.LastError, tt.wantCode)
		}
	case outbox.StateFailed, outbox.StateUnknown:
		f := e.Failure
		if f == nil {
			t.Fatalf("List(%v) gave no Failure for %s", tt.want, e.ID)
		}
		code := f.Code
		if code == 0 && len(f.Rejected) > 0 {
			code = f.Rejected[0].Code
		}
		if f.Error == "" || f.Class != tt.wantClass || code != tt.wantCode {
			t.Errorf("Failure = %+v, want the error, class %q and code %d", f, tt.wantClass, tt.wantCode)
		}
	}
}

// relayDown: with the relay unreachable, every message stays queued with
// its error, no attempt counted, until the relay comes back.
func relayDown(t *testing.T, open Open) {
	addr := ClosedPort(t)
	s := open(t, Transport(t, "smtp+insecure://"+addr), outbox.Rules{MinBackoff: time.Hour})
	var ids []string
	for i := range 5 {
		ids = append(ids, mustEnqueue(t, s, Envelope(i)))
	}
	stop := run(t, s)
	waitFor(t, s, ids[0], func(e *outbox.Entry) bool { return e.LastError != "" })
	stop()
	c, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c != (outbox.Counts{Queued: 5}) {
		t.Errorf("Counts = %+v, want all 5 queued", c)
	}
	for _, e := range list(t, s, outbox.StateQueued) {
		if e.Attempts != 0 {
			t.Errorf("%s: Attempts = %d after an outage, want 0 (an outage burns no attempt)", e.ID, e.Attempts)
		}
	}
}

// sameKey: an idempotency key enqueues once, whatever its state.
func sameKey(t *testing.T, open Open) {
	srv := mailtest.NewServer(t)
	s := open(t, Transport(t, srv.URL()), outbox.Rules{})
	ctx := context.Background()
	enqueue := func() error {
		items := []outbox.Item{{Key: "batch-L0000001", Env: Envelope(1)}}
		err := s.EnqueueBatch(ctx, items)
		if items[0].ID != "batch-L0000001" && items[0].Err == nil {
			t.Errorf("Item.ID = %q, want the key", items[0].ID)
		}
		if err != nil {
			return err
		}
		return items[0].Err
	}
	if err := enqueue(); err != nil {
		t.Fatalf("first EnqueueBatch: %v", err)
	}
	if err := enqueue(); !errors.Is(err, outbox.ErrDuplicate) {
		t.Fatalf("second EnqueueBatch (queued) = %v, want ErrDuplicate", err)
	}
	stop := run(t, s)
	waitFor(t, s, "batch-L0000001", func(e *outbox.Entry) bool { return e.State == outbox.StateSent })
	stop()
	if err := enqueue(); !errors.Is(err, outbox.ErrDuplicate) {
		t.Fatalf("third EnqueueBatch (sent) = %v, want ErrDuplicate", err)
	}
	if c, _ := s.Counts(ctx); c != (outbox.Counts{Sent: 1}) {
		t.Errorf("Counts = %+v, want one sent", c)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server accepted %d messages, want 1", n)
	}
}

// retry: a person queues failed and unknown messages again; they go out
// with the same bytes. The server refuses the first message it gets with
// 554 and drops the reply to the second.
func retry(t *testing.T, open Open) {
	srv := mailtest.NewServer(t,
		mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageDataEnd, Code: 554, Times: 1}),
		mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageDataEnd, Action: mailtest.Drop, Times: 1}))
	s := open(t, Transport(t, srv.URL()), outbox.Rules{MinBackoff: time.Hour})
	ctx := context.Background()
	ids := []string{mustEnqueue(t, s, Envelope(1)), mustEnqueue(t, s, Envelope(2))}
	stop := run(t, s)
	for _, id := range ids {
		waitFor(t, s, id, func(e *outbox.Entry) bool { return e.State != outbox.StateQueued })
	}
	stop()
	if c, _ := s.Counts(ctx); c != (outbox.Counts{Failed: 1, Unknown: 1}) {
		t.Fatalf("Counts = %+v, want one failed and one unknown", c)
	}
	if n, err := s.Retry(ctx, []string{"no-such-message"}); n != 0 || !errors.Is(err, outbox.ErrNotFound) {
		t.Errorf("Retry(unknown id) = %d, %v; want 0, ErrNotFound", n, err)
	}
	failed := list(t, s, outbox.StateFailed)[0].ID
	if n, err := s.Retry(ctx, []string{failed}); n != 1 || err != nil {
		t.Fatalf("Retry(%s) = %d, %v; want 1, nil", failed, n, err)
	}
	if n, err := s.RetryState(ctx, outbox.StateUnknown); n != 1 || err != nil {
		t.Fatalf("RetryState(unknown) = %d, %v; want 1, nil", n, err)
	}
	if c, _ := s.Counts(ctx); c != (outbox.Counts{Queued: 2}) {
		t.Errorf("Counts after Retry = %+v, want 2 queued", c)
	}
	stop = run(t, s)
	for _, id := range ids {
		waitFor(t, s, id, func(e *outbox.Entry) bool { return e.State == outbox.StateSent })
	}
	stop()
	msgs := srv.Messages()
	if len(msgs) != 3 { // the unknown one twice, the failed one once
		t.Errorf("server accepted %d messages, want 3", len(msgs))
	}
	for _, m := range msgs {
		if !bytes.Equal(m.Data, Envelope(1).Data) && !bytes.Equal(m.Data, Envelope(2).Data) {
			t.Errorf("server got %.60q…, want the enqueued bytes", m.Data)
		}
	}
}

// maxAge: a message that keeps failing temporarily is given up.
func maxAge(t *testing.T, open Open) {
	srv := mailtest.NewServer(t, mailtest.RejectData(451))
	s := open(t, Transport(t, srv.URL()), outbox.Rules{MaxAge: time.Millisecond, MinBackoff: time.Millisecond})
	id := mustEnqueue(t, s, Envelope(1))
	stop := run(t, s)
	e := waitFor(t, s, id, func(e *outbox.Entry) bool { return e.State == outbox.StateFailed })
	stop()
	if e.Failure == nil || e.Failure.Class != "expired" || e.Failure.Code != 451 {
		t.Errorf("Failure = %+v, want class expired with the last answer, 451", e.Failure)
	}
}

// gate holds every Transmit until released.
type gate struct {
	mailer.Transport
	started chan struct{}
	release chan struct{}
}

func (g *gate) Transmit(ctx context.Context, env *mailer.Envelope) (string, error) {
	g.started <- struct{}{}
	<-g.release
	return g.Transport.Transmit(ctx, env)
}

// shutdownWaits: Shutdown lets the send in flight finish, then Run returns.
func shutdownWaits(t *testing.T, open Open) {
	srv := mailtest.NewServer(t)
	g := &gate{Transport: Transport(t, srv.URL()), started: make(chan struct{}, 1), release: make(chan struct{})}
	s := open(t, g, outbox.Rules{})
	id := mustEnqueue(t, s, Envelope(1))
	runErr := make(chan error, 1)
	go func() { runErr <- s.Run(context.Background()) }()
	select {
	case <-g.started:
	case <-time.After(20 * time.Second):
		t.Fatal("no attempt started")
	}
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	close(g.release)
	if err := <-done; err != nil {
		t.Fatalf("Shutdown = %v, want nil", err)
	}
	if err := <-runErr; err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if e := find(t, s, id); e == nil || e.State != outbox.StateSent {
		t.Errorf("after Shutdown: %+v, want sent", e)
	}
}

// shutdownCuts: when Shutdown's ctx ends first, the send in flight is cut
// short before its final ".", and the message stays queued, no attempt
// counted.
func shutdownCuts(t *testing.T, open Open) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageData, Action: mailtest.Stall, After: 4096}))
	s := open(t, TransportTimeout(t, srv.URL(), time.Minute), outbox.Rules{})
	env := Envelope(1)
	env.Data = append([]byte("Message-ID: "+env.MessageID+"\r\n"), BigBody()...)
	id := mustEnqueue(t, s, env)
	runErr := make(chan error, 1)
	go func() { runErr <- s.Run(context.Background()) }()
	deadline := time.Now().Add(20 * time.Second)
	for srv.Stats().Faults == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want context.DeadlineExceeded", err)
	}
	if err := <-runErr; err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	e := find(t, s, id)
	if e == nil || e.State != outbox.StateQueued || e.Attempts != 0 {
		t.Errorf("after Shutdown: %+v, want queued with no attempt counted", e)
	}
}
