package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/outbox"
)

// Run delivers queued messages over Options.Transport, Concurrency at a
// time, until ctx is done or Shutdown is called; it returns nil then, and
// an error only when it could not start (ErrNotMigrated, for one) or go
// on. When ctx ends, the sends in flight may finish for 30 seconds before
// they are cut short: one whose final "." went out is filed as unknown,
// the others stay queued as they were.
//
// Any number of processes may Run on one database: River hands each
// message to one of them at a time (FOR UPDATE SKIP LOCKED), and when a
// process dies mid-send, another one sends the message again after
// RescueAfter.
func (s *Store) Run(ctx context.Context) error {
	if s.opts.Transport == nil {
		return outbox.ErrNoTransport
	}
	s.mu.Lock()
	if s.running != nil {
		s.mu.Unlock()
		return errors.New("outbox: postgres: Run is already running")
	}
	running, stop := make(chan struct{}), make(chan struct{})
	s.running, s.stop, s.stopCtx = running, stop, nil
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running, s.stop = nil, nil
		s.mu.Unlock()
		close(running)
	}()

	if err := s.checkMigrated(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	client, err := s.workClient()
	if err != nil {
		return err
	}
	// River runs until told to stop; ctx and Shutdown say when.
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return s.wrap("start workers", err)
	}
	var stopCtx context.Context
	select {
	case <-ctx.Done():
		var cancel context.CancelFunc
		stopCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), softStop)
		defer cancel()
	case <-stop:
		s.mu.Lock()
		stopCtx = s.stopCtx
		s.mu.Unlock()
	}
	// Stop lets the sends in flight finish; once stopCtx ends, they are
	// cancelled, and River still waits for them to return.
	if err := client.Stop(stopCtx); err != nil {
		if err := client.StopAndCancel(context.WithoutCancel(ctx)); err != nil {
			return s.wrap("stop workers", err)
		}
	}
	return nil
}

// softStop is how long the sends in flight may go on once Run's ctx ended.
const softStop = 30 * time.Second

// Shutdown stops Run: no new attempt starts, the sends in flight may finish
// until ctx is done, when they are cut short. It returns once Run has
// returned (at once when Run is not running): nil, or ctx's error when the
// sends in flight had to be cut short.
func (s *Store) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	running, stop := s.running, s.stop
	if stop != nil && s.stopCtx == nil {
		s.stopCtx = ctx
		close(stop)
	}
	s.mu.Unlock()
	if running == nil {
		return nil
	}
	<-running
	// ctx ended before Run returned: the sends in flight were cut short.
	return ctx.Err()
}

// workClient makes the River client that works the store's queue.
func (s *Store) workClient() (*river.Client[pgx.Tx], error) {
	o := &s.opts
	keepSent := time.Duration(-1) // River's "never delete"
	if o.KeepSent > 0 {
		keepSent = o.KeepSent
	}
	w := &worker{store: s, sem: make(chan struct{}, o.Concurrency), loader: newLoader(s)}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	client, err := river.NewClient(riverpgxv5.New(s.pool), &river.Config{
		Logger:  s.log,
		Schema:  o.Schema,
		Workers: workers,
		// River fetches prefetch times more jobs than are sent at once, so
		// that a fetch's round trip to the database is paid once for
		// several messages; w.sem holds the sends to Concurrency.
		Queues: map[string]river.QueueConfig{o.Queue: {MaxWorkers: o.Concurrency * prefetch}},
		// One message after the other as fast as the relay takes them:
		// River's default 100 ms between fetches would cap a worker at
		// ten fetches a second when the queue is short.
		FetchCooldown: 2 * time.Millisecond,
		// A send has its own SMTP timeouts; this only bounds a stuck one.
		JobTimeout:           o.RescueAfter / 2,
		RescueStuckJobsAfter: o.RescueAfter,
		// Attempts are counted by the rules (see record): River's count
		// only grows when a worker died or panicked mid-send, and a
		// message that kills its worker 25 times is given up (failed).
		MaxAttempts:                 25,
		CompletedJobRetentionPeriod: keepSent,
		CancelledJobRetentionPeriod: -1, // failed and unknown wait for a person
		DiscardedJobRetentionPeriod: -1,
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: postgres: %w", err)
	}
	return client, nil
}

// prefetch is how many jobs River holds per send slot.
const prefetch = 16

// worker is River's worker of message jobs.
type worker struct {
	river.WorkerDefaults[messageArgs]
	store  *Store
	sem    chan struct{} // one token per send in flight
	loader *loader       // reads the messages' bytes
	pause  pause
}

// NextRetry is asked by River only for a job whose attempt ended without
// the worker's answer: its worker died (rescued by River) or panicked.
// Such a message is tried again soon, with the same bytes.
func (w *worker) NextRetry(job *river.Job[messageArgs]) time.Time {
	return w.store.opts.Now().Add(time.Duration(job.Attempt) * time.Second)
}

// Work makes one delivery attempt, asks the rules what it means, and files
// it: nil for sent, JobSnooze for a retry (which spends none of River's
// attempts), JobCancel for failed and unknown, with the record as the
// job's output.
func (w *worker) Work(ctx context.Context, job *river.Job[messageArgs]) error {
	o := &w.store.opts
	m := metaOf(job.Metadata)
	w.loader.hold(job.ID, m.Envelope.Size)
	defer w.loader.release(job.ID)
	select {
	case w.sem <- struct{}{}:
		defer func() { <-w.sem }()
	case <-ctx.Done():
		return river.JobSnooze(0) // stopping: nothing was tried
	}
	a := &m.Envelope
	e := entryOf(job.ID, a, &m.Output, job.CreatedAt)
	e.Failure = nil // a message retried by a person starts afresh
	if d, why := w.pause.left(o.Now()); d > 0 {
		// The server was found down by another attempt: wait with it,
		// no attempt made, none counted.
		e.LastError, e.Next = why, o.Now().Add(d).UTC()
		if err := w.record(ctx, &e, a, "", nil); err != nil {
			return err
		}
		return river.JobSnooze(d)
	}
	data, err := w.loader.get(ctx, job.ID)
	if errors.Is(err, errNoMessage) {
		return w.lost(ctx, &e, a, err)
	}
	if err != nil {
		return err // River tries it again soon (NextRetry)
	}
	env := &mailer.Envelope{From: a.From, To: e.To, MessageID: a.MessageID, Resource: a.Resource, Data: data}
	_, err = o.Transport.Transmit(ctx, env)
	now := o.Now()
	// River cancels ctx when the store stops (not the message's fault),
	// and when JobTimeout passes (a stuck send, counted as a failure).
	stopping := ctx.Err() != nil && !errors.Is(context.Cause(ctx), context.DeadlineExceeded)
	fails := 0
	if outbox.ServerLevel(err) {
		fails = w.pause.fail()
	}
	return w.file(ctx, o.Rules.Decide(&e, err, stopping, fails, now), err, &e, a, now)
}

// file records what the rules decided of the attempt that ended with err
// and answers River: nil for sent, JobSnooze to try again, JobCancel for
// a message that will not be sent.
func (w *worker) file(ctx context.Context, d outbox.Decision, err error, e *outbox.Entry, a *envelope, now time.Time) error {
	res := outbox.Result{State: d.Action.State(), Err: d.Err}
	switch d.Action {
	case outbox.Sent:
		w.pause.reset()
		if err := w.record(ctx, e, a, "", nil); err != nil {
			return err
		}
		w.report(res, e)
		return nil

	case outbox.Leave:
		return river.JobSnooze(0)

	case outbox.Snooze:
		// Every message would meet this one's fate: the server is down,
		// refuses us, or our TLS or credentials are wrong. The message
		// keeps its place, and this process's other sends wait too.
		w.pause.hold(now.Add(d.Pause), err.Error())
		if errors.Is(err, mailer.ErrPermanent) {
			w.store.log.Error("outbox: postgres: the server refuses every message; check the SMTP configuration", "err", err, "pause", d.Pause)
		} else {
			w.store.log.Warn("outbox: postgres: server unavailable, the queue waits", "err", err, "pause", d.Pause)
		}
		fallthrough
	case outbox.Retry:
		if err := w.record(ctx, e, a, "", nil); err != nil {
			return err
		}
		w.store.log.Info("outbox: postgres: will retry", "id", e.ID, "message_id", e.MessageID,
			"attempts", e.Attempts, "next", e.Next, "err", d.Err)
		w.report(res, e)
		return river.JobSnooze(max(d.At.Sub(now), 0))

	default: // outbox.Fail, outbox.Hold
		state := res.State.String()
		if err := w.record(ctx, e, a, state, d.Failure); err != nil {
			return err
		}
		w.store.log.Warn("outbox: postgres: message not delivered", "id", e.ID, "message_id", e.MessageID,
			"state", state, "err", d.Err)
		w.report(res, e)
		// Cancelled, River never runs it again; the record says why.
		return river.JobCancel(d.Err)
	}
}

// lost files a message whose bytes are missing as failed: there is
// nothing to send, and nothing to try again.
func (w *worker) lost(ctx context.Context, e *outbox.Entry, a *envelope, err error) error {
	f := &outbox.Failure{Time: w.store.opts.Now().UTC(), Attempts: e.Attempts, Class: "permanent", Error: err.Error()}
	e.LastError = err.Error()
	if err := w.record(ctx, e, a, outbox.StateFailed.String(), f); err != nil {
		return err
	}
	w.store.log.Error("outbox: postgres: message not delivered", "id", e.ID, "message_id", e.MessageID, "err", err)
	w.report(outbox.Result{State: outbox.StateFailed, Err: err}, e)
	return river.JobCancel(err)
}

// record keeps e's bookkeeping as the job's output.
func (w *worker) record(ctx context.Context, e *outbox.Entry, a *envelope, state string, f *outbox.Failure) error {
	rec := recordOfEntry(e, a, state, f)
	return river.RecordOutput(ctx, &rec)
}

func (w *worker) report(r outbox.Result, e *outbox.Entry) {
	if w.store.opts.OnResult != nil {
		r.Entry = *e
		r.Entry.State = r.State
		w.store.opts.OnResult(r)
	}
}

// pause holds a process's attempts after a server-level failure, for the
// rules' pause, and counts such failures in a row; the first success ends
// both.
type pause struct {
	mu    sync.Mutex
	fails int
	until time.Time
	why   string // the failure that set until
}

// fail counts one more server-level failure and returns the count.
func (p *pause) fail() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fails = min(p.fails+1, 64)
	return p.fails
}

// hold holds attempts until t because of the failure why.
func (p *pause) hold(t time.Time, why string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.After(p.until) {
		p.until, p.why = t, why
	}
}

// left returns how long attempts are still held, and why.
func (p *pause) left(now time.Time) (time.Duration, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.until.Sub(now), 0), p.why
}

func (p *pause) reset() {
	p.mu.Lock()
	p.fails, p.until = 0, time.Time{}
	p.mu.Unlock()
}
