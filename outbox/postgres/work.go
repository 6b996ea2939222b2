package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/mailtrail/mailtrail/mailer"
)

// Sender delivers one rendered message: a *mailer.Mailer, configured with
// the SMTP server (and SMTPConfig.MaxConns at least the concurrency), is
// one. Its errors are classified as [mailer.SendError]s are.
type Sender interface {
	Deliver(ctx context.Context, env *mailer.Envelope) (*mailer.Receipt, error)
}

// WorkOptions configures Work. A nil *WorkOptions is not allowed: Sender is
// needed; the zero value of every other field means its default.
type WorkOptions struct {
	// Sender delivers the messages.
	Sender Sender
	// Concurrency is how many messages this process delivers at once;
	// zero means 2. Processes add up: three workers of 4 send 12 at once.
	Concurrency int
	// MaxAge is how long a message may keep failing temporarily before it
	// is given up and filed as failed; zero means 5 days.
	MaxAge time.Duration
	// MinBackoff is the wait before the first retry; each further retry
	// waits twice as long, up to MaxBackoff, less a random jitter of up
	// to half. Zero means 1 minute; MaxBackoff's zero means 1 hour.
	MinBackoff, MaxBackoff time.Duration
	// RetryUnknown retries a message whose outcome is unknown like a
	// temporary failure. The zero value files it as unknown, for a person.
	RetryUnknown bool
	// RescueAfter is how long a message may stay in flight before River
	// takes its worker for dead and hands the message to another one,
	// which sends it again with the same Message-ID. Zero means 15
	// minutes; it must be well above the SMTP timeouts of one send.
	RescueAfter time.Duration
	// KeepSent is how long delivered messages are kept; zero keeps them,
	// so that enqueueing a key again, even long after, adds nothing.
	KeepSent time.Duration
	// OnResult, when set, is called after every attempt, from the
	// delivering goroutines: it must be safe for concurrent use and quick.
	OnResult func(Result)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Result is what one delivery attempt did, given to WorkOptions.OnResult.
type Result struct {
	ID        string
	Key       string
	MessageID string
	State     State     // where the message stands after the attempt
	Next      time.Time // when State is Queued: not before then
	Err       error     // nil when sent
}

// Work delivers messages, Concurrency at a time, until ctx is done; then it
// lets the sends in flight finish (cutting them short after 30 seconds:
// one whose final "." went out is filed as unknown, the others stay
// queued) and returns nil. It returns an error when it cannot start, for
// instance ErrNotMigrated. Any number of processes may Work on one
// database: each message is delivered by one of them at a time.
func (s *Store) Work(ctx context.Context, opts *WorkOptions) error {
	if opts == nil || opts.Sender == nil {
		return errors.New("outbox: postgres: Work needs a Sender")
	}
	w := &worker{store: s, opts: *opts}
	o := &w.opts
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = DefaultMinBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	o.MaxBackoff = max(o.MaxBackoff, o.MinBackoff)
	if o.RescueAfter <= 0 {
		o.RescueAfter = 15 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := s.checkMigrated(ctx); err != nil {
		return err
	}
	keepSent := time.Duration(-1) // River's "never delete"
	if o.KeepSent > 0 {
		keepSent = o.KeepSent
	}
	w.sem = make(chan struct{}, o.Concurrency)
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	client, err := river.NewClient(riverpgxv5.New(s.pool), &river.Config{
		Logger:  s.log,
		Schema:  s.opts.Schema,
		Workers: workers,
		// River fetches prefetch times more jobs than are sent at once, so
		// that a fetch's round trip to the database is paid once for
		// several messages; w.sem holds the sends to Concurrency.
		Queues: map[string]river.QueueConfig{s.opts.Queue: {MaxWorkers: o.Concurrency * prefetch}},
		// One message after the other as fast as the relay takes them:
		// River's default 100 ms between fetches would cap a worker at
		// ten messages a second when the queue is short.
		FetchCooldown: 2 * time.Millisecond,
		// A send has its own SMTP timeouts; this only bounds a stuck one.
		JobTimeout:           o.RescueAfter / 2,
		RescueStuckJobsAfter: o.RescueAfter,
		// Attempts are counted by the worker (see record): River's count
		// only grows when a worker died or panicked mid-send.
		MaxAttempts:                 25,
		CompletedJobRetentionPeriod: keepSent,
		CancelledJobRetentionPeriod: -1, // failed and unknown wait for a person
		DiscardedJobRetentionPeriod: -1,
		SoftStopTimeout:             30 * time.Second,
	})
	if err != nil {
		return fmt.Errorf("outbox: postgres: %w", err)
	}
	// River runs until Stop; ctx only tells when to stop.
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return s.wrap("start workers", err)
	}
	<-ctx.Done()
	if err := client.Stop(context.WithoutCancel(ctx)); err != nil {
		return s.wrap("stop workers", err)
	}
	return nil
}

// worker is River's worker of message jobs.
type worker struct {
	river.WorkerDefaults[messageArgs]
	store *Store
	opts  WorkOptions
	pause pause
	sem   chan struct{} // one token per send in flight
}

// prefetch is how many jobs River holds per send slot.
const prefetch = 16

// NextRetry is asked by River only for a job whose attempt ended without
// the worker's answer: its worker died (rescued by River) or panicked.
// Such a message is tried again soon, with the same bytes.
func (w *worker) NextRetry(job *river.Job[messageArgs]) time.Time {
	return w.opts.Now().Add(time.Duration(job.Attempt) * time.Second)
}

// Work makes one delivery attempt and files its outcome: nil for sent,
// JobSnooze for a retry (which spends none of River's attempts), JobCancel
// for failed and unknown, with the record as the job's output.
func (w *worker) Work(ctx context.Context, job *river.Job[messageArgs]) error {
	select {
	case w.sem <- struct{}{}:
		defer func() { <-w.sem }()
	case <-ctx.Done():
		return river.JobSnooze(0) // stopping: nothing was tried
	}
	a := job.Args
	rec := recordOf(job.JobRow)
	rec.State, rec.Failure = "", nil // a message retried by a person starts afresh
	res := Result{ID: strconv.FormatInt(job.ID, 10), Key: a.Key, MessageID: a.MessageID}
	if d := w.pause.left(w.opts.Now()); d > 0 {
		// The server was found down by another attempt: wait with it.
		return river.JobSnooze(d)
	}
	env := &mailer.Envelope{From: a.From, To: remaining(a.To, rec.Delivered), MessageID: a.MessageID, Resource: a.Resource, Data: a.Data}
	_, err := w.opts.Sender.Deliver(ctx, env)
	now := w.opts.Now()
	var se *mailer.SendError
	errors.As(err, &se)
	switch {
	case err == nil:
		w.pause.reset()
		res.State = Sent
		w.report(res)
		return nil

	case ctx.Err() != nil && !errors.Is(err, mailer.ErrUnknownOutcome) &&
		!errors.Is(context.Cause(ctx), context.DeadlineExceeded):
		// Stopped before the final ".": nothing went out, and this was
		// not the message's fault. It is queued again as it was.
		return river.JobSnooze(0)
	}

	rec.Attempts++
	rec.LastError = err.Error()
	switch {
	case serverLevel(err):
		// Every message would meet this one's fate: the server is down,
		// refuses us, or our TLS or credentials are wrong. The message
		// keeps its place, and this worker's other sends wait too.
		d := w.pause.fail(now, w.opts.MinBackoff, w.opts.MaxBackoff)
		if errors.Is(err, mailer.ErrPermanent) {
			w.store.log.Error("outbox: postgres: the server refuses every message; check the SMTP configuration", "err", err, "pause", d)
		} else {
			w.store.log.Warn("outbox: postgres: server unavailable, the queue waits", "err", err, "pause", d)
		}
		return w.retry(ctx, job, &rec, res, err, now, d)

	case errors.Is(err, mailer.ErrUnknownOutcome):
		rec.Unknown++
		if w.opts.RetryUnknown {
			return w.retry(ctx, job, &rec, res, err, now, 0)
		}
		return w.finish(ctx, &rec, res, Unknown, "unknown", err, now)

	case se != nil && len(se.Accepted) > 0:
		// A partial delivery: the accepted recipients are done; retry only
		// the temporarily refused ones.
		rec.Delivered = append(rec.Delivered, se.Accepted...)
		again := 0
		for _, r := range se.Rejected {
			if r.Temporary() {
				again++
			}
		}
		if again == 0 {
			return w.finish(ctx, &rec, res, Failed, "permanent", err, now)
		}
		return w.retry(ctx, job, &rec, res, err, now, 0)

	case errors.Is(err, mailer.ErrPermanent):
		return w.finish(ctx, &rec, res, Failed, "permanent", err, now)

	default: // ErrTransient, and errors nobody classified
		return w.retry(ctx, job, &rec, res, err, now, 0)
	}
}

// retry queues the message again after its backoff (or after wait, when
// not zero), or gives it up when that would pass MaxAge.
func (w *worker) retry(ctx context.Context, job *river.Job[messageArgs], rec *record, res Result, err error, now time.Time, wait time.Duration) error {
	if wait == 0 {
		wait = backoff(rec.Attempts, w.opts.MinBackoff, w.opts.MaxBackoff)
	}
	next := now.Add(wait)
	if next.Sub(job.CreatedAt) > w.opts.MaxAge {
		return w.finish(ctx, rec, res, Failed, "expired", fmt.Errorf("gave up after %d attempts over %s: %w",
			rec.Attempts, now.Sub(job.CreatedAt).Round(time.Second), err), now)
	}
	rec.Next = next.UTC()
	if rerr := river.RecordOutput(ctx, rec); rerr != nil {
		return rerr
	}
	w.store.log.Info("outbox: postgres: will retry", "id", res.ID, "message_id", res.MessageID,
		"attempts", rec.Attempts, "next", rec.Next, "err", err)
	res.State, res.Next, res.Err = Queued, rec.Next, err
	w.report(res)
	return river.JobSnooze(wait)
}

// finish files the message as failed or unknown: the job is cancelled, so
// River never runs it again, and the record says why.
func (w *worker) finish(ctx context.Context, rec *record, res Result, state State, class string, err error, now time.Time) error {
	rec.State = state.String()
	rec.Next = time.Time{}
	rec.Failure = failureOf(err, class, now)
	if rerr := river.RecordOutput(ctx, rec); rerr != nil {
		return rerr
	}
	w.store.log.Warn("outbox: postgres: message not delivered", "id", res.ID, "message_id", res.MessageID,
		"state", state.String(), "err", err)
	res.State, res.Err = state, err
	w.report(res)
	return river.JobCancel(err)
}

func (w *worker) report(r Result) {
	if w.opts.OnResult != nil {
		w.opts.OnResult(r)
	}
}

// remaining returns the recipients of to not in done.
func remaining(to, done []string) []string {
	if len(done) == 0 {
		return to
	}
	var out []string
	for _, r := range to {
		found := false
		for _, d := range done {
			if d == r {
				found = true
				break
			}
		}
		if !found {
			out = append(out, r)
		}
	}
	return out
}
