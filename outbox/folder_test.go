package outbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/mailtrail/mailtrail/mailer"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// spoolEnv returns a test envelope; n makes it unique.
func spoolEnv(n int) *mailer.Envelope {
	id := fmt.Sprintf("<m%d.r%d@example.test>", n, n)
	return &mailer.Envelope{
		From:      "app@example.test",
		To:        []string{fmt.Sprintf("p%d@partner.test", n)},
		MessageID: id,
		Resource:  fmt.Sprintf("r%d", n),
		Data:      []byte("Message-ID: " + id + "\r\nSubject: test\r\n\r\nbody\r\n"),
	}
}

// quickSpool opens a spool in a fresh folder with short backoffs.
func quickSpool(t *testing.T, opts FolderOptions) *Folder {
	t.Helper()
	if opts.MinBackoff == 0 {
		opts.MinBackoff = 5 * time.Millisecond
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = 20 * time.Millisecond
	}
	if opts.Poll == 0 {
		opts.Poll = 50 * time.Millisecond
	}
	s, err := OpenFolder(t.TempDir(), &opts)
	if err != nil {
		t.Fatalf("OpenFolder: %v", err)
	}
	return s
}

func spoolDrain(t *testing.T, s *Folder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Drain(ctx, time.Time{}); err != nil {
		t.Fatalf("Drain: %v", err)
	}
}

func spoolMustEnqueue(t *testing.T, s *Folder, env *mailer.Envelope) string {
	t.Helper()
	id, err := s.Enqueue(context.Background(), env)
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	return id
}

func spoolCounts(t *testing.T, s *Folder) map[State]int {
	t.Helper()
	c, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return map[State]int{StateQueued: c.Queued, StateSent: c.Sent, StateFailed: c.Failed, StateUnknown: c.Unknown}
}

// spoolRecorder is a Deliver function that records what it was given and fails
// as fail says.
type spoolRecorder struct {
	mu    sync.Mutex
	got   []spoolDelivery
	fail  func(n int, to []string, data []byte) error // n counts calls from 1
	calls int
}

type spoolDelivery struct {
	from string
	to   []string
	data []byte
}

func (r *spoolRecorder) deliver(ctx context.Context, from string, to []string, data []byte) error {
	r.mu.Lock()
	r.calls++
	n := r.calls
	r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(n, to, data); err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.got = append(r.got, spoolDelivery{from, append([]string(nil), to...), bytes.Clone(data)})
	r.mu.Unlock()
	return nil
}

// deliverFunc is a mailer.Transport made of a function.
type deliverFunc func(ctx context.Context, from string, to []string, data []byte) error

func (f deliverFunc) Transmit(ctx context.Context, env *mailer.Envelope) (string, error) {
	return "", f(ctx, env.From, env.To, env.Data)
}

func (f deliverFunc) Close() error { return nil }

// classed is a *mailer.SendError of another class than transient, the
// zero value's: errors.Is matches class too.
type classed struct {
	*mailer.SendError
	class error
}

func (c classed) Unwrap() []error { return []error{c.SendError, c.class} }

func spoolTransient(code int) error {
	return &mailer.SendError{Op: mailer.OpData, Code: code, Msg: "try later"}
}

func spoolPermanent(code int) error {
	return classed{&mailer.SendError{Op: mailer.OpData, Code: code, Enhanced: "5.7.1", Msg: "refused"}, mailer.ErrPermanent}
}

func spoolUnknown() error {
	return classed{&mailer.SendError{Op: mailer.OpData, Err: errors.New("read: connection reset")}, mailer.ErrUnknownOutcome}
}

func TestFolder_Enqueue_layout(t *testing.T) {
	s := quickSpool(t, FolderOptions{})
	env := spoolEnv(1)
	id := spoolMustEnqueue(t, s, env)

	// One segment in queue/, holding the message's bytes as they are.
	segs, _ := filepath.Glob(filepath.Join(s.Dir(), "queue", "*"))
	if len(segs) != 1 || !strings.HasSuffix(segs[0], ".seg") {
		t.Fatalf("queue/ = %q, want one segment", segs)
	}
	if raw, err := os.ReadFile(segs[0]); err != nil || !bytes.Contains(raw, env.Data) {
		t.Errorf("segment %s = %q, %v; want the message bytes in it", segs[0], raw, err)
	}
	got, err := s.Message(context.Background(), id)
	if err != nil || !bytes.Equal(got, env.Data) {
		t.Fatalf("Message(%s) = %q, %v; want the message bytes", id, got, err)
	}
	e, err := s.Lookup(context.Background(), id)
	if err != nil {
		t.Fatalf("Lookup(%q): %v", id, err)
	}
	if e.State != StateQueued || e.From != env.From || e.To[0] != env.To[0] || e.MessageID != env.MessageID ||
		e.Resource != env.Resource || e.Size != len(env.Data) || e.Attempts != 0 {
		t.Errorf("Lookup(%q) = %+v, want the envelope, queued, no attempts", id, e)
	}
	if des, _ := os.ReadDir(filepath.Join(s.Dir(), "tmp")); len(des) != 0 {
		t.Errorf("tmp/ holds %d files after Enqueue, want 0", len(des))
	}
}

func TestFolder_Enqueue_refuses(t *testing.T) {
	s := quickSpool(t, FolderOptions{})
	tests := []struct {
		name string
		env  *mailer.Envelope
	}{
		{"nil", nil},
		{"no data", &mailer.Envelope{From: "a@x.test", To: []string{"b@x.test"}}},
		{"no recipient", &mailer.Envelope{From: "a@x.test", Data: []byte("x")}},
		{"no sender", &mailer.Envelope{To: []string{"b@x.test"}, Data: []byte("x")}},
		{"CRLF in recipient", &mailer.Envelope{From: "a@x.test", To: []string{"b@x.test>\r\nRCPT TO:<c@x.test"}, Data: []byte("x")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Enqueue(context.Background(), tt.env); err == nil {
				t.Errorf("Enqueue(%+v) = nil error, want a refusal", tt.env)
			}
		})
	}
	if n := spoolCounts(t, s)[StateQueued]; n != 0 {
		t.Errorf("queue holds %d messages, want 0", n)
	}
}

func TestFolder_EnqueueKey_duplicate(t *testing.T) {
	rec := &spoolRecorder{}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver)})
	ctx := context.Background()
	if _, err := s.EnqueueKey(ctx, "batch-1-line-3", spoolEnv(1)); err != nil {
		t.Fatalf("EnqueueKey: %v", err)
	}
	if _, err := s.EnqueueKey(ctx, "batch-1-line-3", spoolEnv(1)); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("second EnqueueKey (queued) = %v, want ErrDuplicate", err)
	}
	spoolDrain(t, s)
	if _, err := s.EnqueueKey(ctx, "batch-1-line-3", spoolEnv(1)); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("EnqueueKey after spoolDelivery = %v, want ErrDuplicate", err)
	}
	if len(rec.got) != 1 {
		t.Errorf("delivered %d times, want 1", len(rec.got))
	}
	for _, bad := range []string{"", "a/b", "a.b", "../x", strings.Repeat("k", 201)} {
		if _, err := s.EnqueueKey(ctx, bad, spoolEnv(2)); err == nil || errors.Is(err, ErrDuplicate) {
			t.Errorf("EnqueueKey(%q) = %v, want a bad-key error", bad, err)
		}
	}
}

func TestFolder_Drain_outcomes(t *testing.T) {
	tests := []struct {
		name       string
		opts       FolderOptions
		fail       func(n int) error
		want       State
		wantCalls  int
		wantClass  string
		wantCode   int
		deleteSent bool
	}{
		{name: "sent", fail: func(int) error { return nil }, want: StateSent, wantCalls: 1},
		{name: "sent and deleted", opts: FolderOptions{DeleteSent: true}, fail: func(int) error { return nil }, want: -1, wantCalls: 1},
		{name: "permanent 554 at end of data", fail: func(int) error { return spoolPermanent(554) }, want: StateFailed, wantCalls: 1, wantClass: "permanent", wantCode: 554},
		{name: "transient 451 then accepted", fail: func(n int) error {
			if n < 3 {
				return spoolTransient(451)
			}
			return nil
		}, want: StateSent, wantCalls: 3},
		{name: "unclassified error is transient", fail: func(n int) error {
			if n < 2 {
				return errors.New("boom")
			}
			return nil
		}, want: StateSent, wantCalls: 2},
		{name: "unknown outcome not retried", fail: func(int) error { return spoolUnknown() }, want: StateUnknown, wantCalls: 1, wantClass: "unknown"},
		{name: "unknown outcome retried when asked", opts: FolderOptions{Rules: Rules{RetryUnknown: true}}, fail: func(n int) error {
			if n < 2 {
				return spoolUnknown()
			}
			return nil
		}, want: StateSent, wantCalls: 2},
		{name: "transient until too old", opts: FolderOptions{Rules: Rules{MaxAge: 50 * time.Millisecond}}, fail: func(int) error { return spoolTransient(421) }, want: StateFailed, wantClass: "expired", wantCode: 421},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen [][]byte
			var mu sync.Mutex
			rec := &spoolRecorder{fail: func(n int, _ []string, data []byte) error {
				mu.Lock()
				seen = append(seen, bytes.Clone(data))
				mu.Unlock()
				return tt.fail(n)
			}}
			opts := tt.opts
			opts.Transport = deliverFunc(rec.deliver)
			s := quickSpool(t, opts)
			env := spoolEnv(1)
			id := spoolMustEnqueue(t, s, env)
			spoolDrain(t, s)

			if tt.wantCalls != 0 && rec.calls != tt.wantCalls {
				t.Errorf("delivery attempts = %d, want %d", rec.calls, tt.wantCalls)
			}
			for i, b := range seen {
				if !bytes.Equal(b, env.Data) {
					t.Errorf("attempt %d sent %q, want the spooled bytes (same Message-ID)", i+1, b)
				}
			}
			e, err := s.Lookup(context.Background(), id)
			if tt.want == -1 {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("Lookup after DeleteSent = %+v, %v; want ErrNotFound", e, err)
				}
				if n := spoolCounts(t, s); n[StateQueued]+n[StateSent] != 0 {
					t.Errorf("folders = %v, want all empty", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if e.State != tt.want {
				t.Fatalf("state = %v, want %v (last error %q)", e.State, tt.want, e.LastError)
			}
			if got, err := s.Message(context.Background(), id); err != nil || !bytes.Equal(got, env.Data) {
				t.Errorf("Message(%s) = %q, %v; want the bytes it was enqueued with", id, got, err)
			}
			if e.Attempts != rec.calls {
				t.Errorf("entry.Attempts = %d, want %d", e.Attempts, rec.calls)
			}
			f := e.Failure
			if tt.wantClass == "" {
				if f != nil {
					t.Errorf("Lookup(%q).Failure = %+v, want none", id, f)
				}
				return
			}
			if f == nil {
				t.Fatalf("Lookup(%q).Failure = nil, want the server's answer", id)
			}
			if f.Class != tt.wantClass || f.Code != tt.wantCode || f.Error == "" {
				t.Errorf("Failure = %+v, want class %q code %d", f, tt.wantClass, tt.wantCode)
			}
		})
	}
}

// A message that keeps failing must not hold up the others, even with one
// worker: they are delivered between its attempts.
func TestFolder_badMessageDoesNotBlock(t *testing.T) {
	bad := []byte("Subject: bad")
	var mu sync.Mutex
	var order []string
	badTries := 0
	rec := &spoolRecorder{fail: func(_ int, _ []string, data []byte) error {
		mu.Lock()
		defer mu.Unlock()
		if bytes.Contains(data, bad) {
			badTries++
			order = append(order, "bad")
			if badTries < 6 {
				return spoolTransient(451)
			}
			return spoolPermanent(554)
		}
		order = append(order, "good")
		return nil
	}}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver), Concurrency: 1, Rules: Rules{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}})
	env := spoolEnv(0)
	env.Data = []byte("Subject: bad\r\n\r\nx\r\n")
	badID := spoolMustEnqueue(t, s, env)
	for i := 1; i <= 20; i++ {
		spoolMustEnqueue(t, s, spoolEnv(i))
	}
	spoolDrain(t, s)
	if len(rec.got) != 20 {
		t.Errorf("delivered %d good messages, want 20", len(rec.got))
	}
	if order[0] != "bad" || order[1] != "good" {
		t.Errorf("attempt order starts %v, want the bad message first, then a good one", order[:2])
	}
	e, _ := s.Lookup(context.Background(), badID)
	if e == nil || e.State != StateFailed || e.Attempts != 6 {
		t.Errorf("bad message = %+v, want failed after 6 attempts", e)
	}
}

func TestFolder_partialDelivery(t *testing.T) {
	calls := 0
	var mu sync.Mutex
	rec := &spoolRecorder{fail: func(n int, to []string, _ []byte) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			return &mailer.SendError{Op: mailer.OpRcpt,
				Accepted: []string{"a@partner.test"},
				Rejected: []mailer.RcptError{
					{Rcpt: "b@partner.test", Code: 452, Enhanced: "4.5.3", Msg: "too many"},
					{Rcpt: "c@partner.test", Code: 550, Enhanced: "5.1.1", Msg: "no such user"},
				}}
		}
		return nil
	}}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver)})
	env := spoolEnv(1)
	env.To = []string{"a@partner.test", "b@partner.test", "c@partner.test"}
	id := spoolMustEnqueue(t, s, env)
	spoolDrain(t, s)
	if len(rec.got) != 1 || strings.Join(rec.got[0].to, ",") != "b@partner.test" {
		t.Fatalf("retry went to %+v, want only the temporarily refused b@partner.test", rec.got)
	}
	e, _ := s.Lookup(context.Background(), id)
	if e.State != StateSent || strings.Join(e.Delivered, ",") != "a@partner.test" {
		t.Errorf("entry = %+v, want sent, delivered to a@ first", e)
	}
}

func TestFolder_Run_locked(t *testing.T) {
	rec := &spoolRecorder{}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver)})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	if err := s.WaitIdle(ctx, time.Time{}); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
	s2, err := OpenFolder(s.Dir(), &FolderOptions{Transport: deliverFunc(rec.deliver)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Run(ctx); !errors.Is(err, ErrLocked) {
		t.Errorf("second Run = %v, want ErrLocked", err)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
	s3, _ := OpenFolder(t.TempDir(), nil)
	if err := s3.Drain(context.Background(), time.Time{}); !errors.Is(err, ErrNoTransport) {
		t.Errorf("Drain without transport = %v, want ErrNoTransport", err)
	}
}

// Messages enqueued while Run is going are delivered without a rescan, and
// those another process puts in queue/ are found by the periodic scan.
func TestFolder_Run_picksUpNewMessages(t *testing.T) {
	rec := &spoolRecorder{}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver), Poll: 20 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() { errc <- s.Run(runCtx) }()
	for i := range 10 {
		spoolMustEnqueue(t, s, spoolEnv(i))
	}
	other, err := OpenFolder(s.Dir(), nil) // another process's view
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Enqueue(ctx, spoolEnv(99)); err != nil {
		t.Fatal(err)
	}
	for spoolCounts(t, s)[StateSent] < 11 && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	if ctx.Err() != nil {
		t.Errorf("gave up waiting for 11 messages in sent/ after 30s")
	}
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n := spoolCounts(t, s); n[StateSent] != 11 || len(rec.got) != 11 {
		t.Errorf("sent %v, delivered %d; want 11 and 11", n, len(rec.got))
	}
}

// Cancelling Run mid-send leaves a message queued when its final "." had
// not gone out, and files it as unknown when it had.
func TestFolder_Run_cancelled(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want State
	}{
		{"before the dot", &mailer.SendError{Op: mailer.OpData, Err: context.Canceled}, StateQueued},
		{"after the dot", classed{&mailer.SendError{Op: mailer.OpData, Err: context.Canceled}, mailer.ErrUnknownOutcome}, StateUnknown},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			started := make(chan struct{})
			deliver := func(ctx context.Context, _ string, _ []string, _ []byte) error {
				close(started)
				<-ctx.Done()
				return tt.err
			}
			s := quickSpool(t, FolderOptions{Transport: deliverFunc(deliver)})
			id := spoolMustEnqueue(t, s, spoolEnv(1))
			errc := make(chan error, 1)
			go func() { errc <- s.Run(ctx) }()
			<-started
			cancel()
			if err := <-errc; err != nil {
				t.Fatalf("Run: %v", err)
			}
			e, err := s.Lookup(context.Background(), id)
			if err != nil || e.State != tt.want {
				t.Fatalf("Lookup = %+v, %v; want state %v", e, err, tt.want)
			}
			if tt.want == StateQueued && e.Attempts != 0 {
				t.Errorf("Attempts = %d, want 0: an interrupted attempt is not the message's fault", e.Attempts)
			}
		})
	}
}

// A spool opened after a crash finishes or undoes what the crash cut short.
func TestOpenFolder_recovers(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenFolder(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Messages with their own files, as a folder holds them after a retry
	// or from before segments.
	keep := writeOwnFiles(t, s, "keep", spoolEnv(1))
	moved := writeOwnFiles(t, s, "moved", spoolEnv(2))
	deleted := writeOwnFiles(t, s, "deleted", spoolEnv(3))

	write := func(path, data string) {
		if err := os.WriteFile(path, []byte(data), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	// A crash in Enqueue: a temp file, and a message renamed without its .json.
	write(filepath.Join(dir, "tmp", "123.1.x.eml"), "partial")
	write(s.Path(StateQueued, "half", ".eml"), "never enqueued")
	// A crash in the middle of a move to sent/: .json moved, .eml not.
	if err := os.Rename(s.Path(StateQueued, moved, ".json"), s.Path(StateSent, moved, ".json")); err != nil {
		t.Fatal(err)
	}
	// A crash while deleting a sent message: .json gone, .eml left.
	os.Remove(s.Path(StateQueued, deleted, ".json"))
	// Leftovers are removed once old enough: younger ones may be another
	// process's Enqueue in progress.
	old := time.Now().Add(-2 * orphanAge)
	for _, p := range []string{filepath.Join(dir, "tmp", "123.1.x.eml"), s.Path(StateQueued, "half", ".eml"), s.Path(StateQueued, deleted, ".eml")} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "tmp", "456.1.young.eml"), "being written by another process")
	write(s.Path(StateQueued, "young", ".eml"), "being enqueued by another process")

	s, err = OpenFolder(dir, nil)
	if err != nil {
		t.Fatalf("OpenFolder after crash: %v", err)
	}
	ls := func(sub string) string {
		des, _ := os.ReadDir(filepath.Join(dir, sub))
		var names []string
		for _, de := range des {
			names = append(names, de.Name())
		}
		sort.Strings(names)
		return strings.Join(names, " ")
	}
	if got := ls("tmp"); got != "456.1.young.eml" {
		t.Errorf("tmp/ = %q, want only the young file", got)
	}
	if got, want := ls("queue"), keep+".eml "+keep+".json young.eml"; got != want {
		t.Errorf("queue/ = %q, want %q", got, want)
	}
	if got, want := ls("sent"), moved+".eml "+moved+".json"; got != want {
		t.Errorf("sent/ = %q, want %q", got, want)
	}
}

// Concurrent Enqueues share their fsyncs and each gets its message in.
func TestFolder_Enqueue_concurrent(t *testing.T) {
	rec := &spoolRecorder{}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver), Concurrency: 3})
	const n = 200
	var wg sync.WaitGroup
	ids := make([]string, n)
	for i := range n {
		wg.Go(func() {
			id, err := s.Enqueue(context.Background(), spoolEnv(i))
			if err != nil {
				t.Errorf("Enqueue %d: %v", i, err)
			}
			ids[i] = id
		})
	}
	wg.Wait()
	if c := spoolCounts(t, s); c[StateQueued] != n {
		t.Fatalf("queue holds %d, want %d", c[StateQueued], n)
	}
	spoolDrain(t, s)
	if len(rec.got) != n {
		t.Errorf("delivered %d, want %d", len(rec.got), n)
	}
	seen := map[string]bool{}
	for _, d := range rec.got {
		seen[d.to[0]] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct recipients delivered, want %d (each message once)", len(seen), n)
	}
}

// A server-level failure (here a refused dial) pauses the whole queue: no
// attempt starts before the pause ends, and the first success resets it.
func TestFolder_serverDownPausesQueue(t *testing.T) {
	var (
		s          *Folder
		mu         sync.Mutex
		calls      int
		lastHold   time.Time // the pause set by the last failure
		violations []string
	)
	deliver := func(context.Context, string, []string, []byte) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if now := time.Now(); now.Before(lastHold) {
			violations = append(violations, fmt.Sprintf("attempt %d started %v before the pause ended", calls, lastHold.Sub(now)))
		}
		if calls <= 2 {
			return &mailer.SendError{Op: mailer.OpDial, Err: errors.New("connection refused")}
		}
		return nil
	}
	onResult := func(r Result) {
		if r.Err == nil {
			return
		}
		// Called after the worker paused the queue.
		s.sched.mu.Lock()
		hold := s.sched.hold
		s.sched.mu.Unlock()
		mu.Lock()
		defer mu.Unlock()
		if hold.IsZero() {
			violations = append(violations, "no pause after a server-level failure")
		}
		lastHold = hold
	}
	s = quickSpool(t, FolderOptions{Transport: deliverFunc(deliver), OnResult: onResult, Concurrency: 1,
		Rules: Rules{MinBackoff: 20 * time.Millisecond, MaxBackoff: 40 * time.Millisecond}})
	for i := range 5 {
		spoolMustEnqueue(t, s, spoolEnv(i))
	}
	spoolDrain(t, s)
	if len(violations) > 0 {
		t.Error(strings.Join(violations, "; "))
	}
	if c := spoolCounts(t, s); c[StateSent] != 5 {
		t.Errorf("sent %d, want 5", c[StateSent])
	}
	if n := s.serverFails.Load(); n != 0 {
		t.Errorf("serverFails = %d after a success, want 0", n)
	}
}
