package mailer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"
)

// spoolSender delivers one message over a connection it keeps; the SMTP
// transport satisfies it.
type spoolSender interface {
	send(ctx context.Context, from string, to []string, data []byte) error
	close() error
}

// funcSender adapts SpoolOptions.Deliver.
type funcSender func(ctx context.Context, from string, to []string, data []byte) error

func (f funcSender) send(ctx context.Context, from string, to []string, data []byte) error {
	return f(ctx, from, to, data)
}
func (f funcSender) close() error { return nil }

// Run delivers queued messages, Concurrency at a time, until ctx is done;
// it returns nil then, and an error only when it could not start or go on.
// It first takes the spool's lock file, so that a second Run on the same
// directory, in this process or another, returns ErrSpoolLocked at once.
// Sends in flight when ctx ends are cut short: those whose final "." had
// gone out are filed as unknown, the others stay queued as they were.
//
// Messages are attempted in the order they fall due; a message that fails
// temporarily is retried after a backoff and never holds up the others.
func (s *Spool) Run(ctx context.Context) error {
	err := s.run(ctx)
	s.sched.stop(err)
	return err
}

// WaitIdle waits until the Run going on in this process has nothing in
// flight, nothing due now, and nothing queued that falls due before until:
// every message was tried at least once since it was queued, and only
// retries later than until are left. A zero until waits for the queue to
// be empty. It returns Run's error, or
// ErrSpoolNotRunning, if Run stops first.
func (s *Spool) WaitIdle(ctx context.Context, until time.Time) error {
	return s.sched.waitIdle(ctx, until, s.opts.Now)
}

// Drain runs deliveries until the queue is empty, or until every message
// left in it waits for a retry after until (zero: until the queue is
// empty, which may take MaxAge), then returns. Messages still queued stay
// in queue/ for a later Run or Drain.
func (s *Spool) Drain(ctx context.Context, until time.Time) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Run(runCtx) }()
	err := s.WaitIdle(ctx, until)
	cancel()
	runErr := <-errc
	if err == nil || errors.Is(err, ErrSpoolNotRunning) {
		err = runErr
	}
	return err
}

// Queued returns how many messages the running Run holds queued or in
// flight; zero when Run is not running.
func (s *Spool) Queued() int { return s.sched.len() }

func (s *Spool) run(ctx context.Context) error {
	sender, err := s.newSender()
	if err != nil {
		return err
	}
	defer sender.close()
	unlock, err := lockSpool(s.dir)
	if err != nil {
		return err
	}
	defer unlock()

	s.sched.start()
	if err := s.scan(); err != nil {
		s.sched.setScanning(false)
		return err
	}
	s.sched.setScanning(false)

	var wg sync.WaitGroup
	for range s.opts.Concurrency {
		wg.Go(func() { s.worker(ctx, sender) })
	}
	// Moves out of queue/ are fsynced in the background: losing one to a
	// power cut only means sending a message again, which the promise
	// allows.
	tick := time.NewTicker(s.opts.Poll)
	defer tick.Stop()
	flush := time.NewTicker(200 * time.Millisecond)
	defer flush.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-flush.C:
			s.flushDirs()
		case <-tick.C:
			if err := s.scan(); err != nil {
				s.log.Warn("mailer: spool: scan queue", "err", err)
			}
		}
	}
	wg.Wait()
	s.flushDirs()
	return nil
}

func (s *Spool) flushDirs() {
	for _, st := range spoolStates {
		if err := s.syncers[st].flush(); err != nil {
			s.log.Warn("mailer: spool: fsync", "err", err)
		}
	}
}

// newSender returns what delivers: Deliver when set, else SMTP.
func (s *Spool) newSender() (spoolSender, error) {
	if s.opts.Deliver != nil {
		return funcSender(s.opts.Deliver), nil
	}
	if s.opts.SMTP != nil {
		return newSpoolSMTP(s.opts.SMTP, s.opts.Concurrency, s.log)
	}
	return nil, ErrSpoolNoTransport
}

// scan adds the messages in queue/ that the scheduler does not know yet:
// all of them when Run starts, then those enqueued by other processes.
func (s *Spool) scan() error {
	ids, err := s.ids(StateQueued)
	if err != nil {
		return err
	}
	for _, id := range ids {
		s.sched.mu.Lock()
		known := s.sched.known[id]
		s.sched.mu.Unlock()
		if known {
			continue
		}
		e, err := readSpoolEntry(s.Path(StateQueued, id, ".json"), StateQueued)
		if errors.Is(err, fs.ErrNotExist) {
			continue // delivered meanwhile
		}
		if err != nil {
			s.log.Warn("mailer: spool: unreadable entry", "id", id, "err", err)
			continue
		}
		s.sched.add(id, e.Next)
	}
	return nil
}

func (s *Spool) worker(ctx context.Context, sender spoolSender) {
	for {
		id, ok := s.sched.next(ctx, s.opts.Now)
		if !ok {
			return
		}
		due := s.attempt(ctx, sender, id)
		s.sched.done(id, due)
	}
}

// attempt delivers one queued message and files the outcome. It returns
// when the message is due again, or the zero time when it left the queue
// (or should not be tried again by this Run).
func (s *Spool) attempt(ctx context.Context, sender spoolSender, id string) time.Time {
	e, err := readSpoolEntry(s.Path(StateQueued, id, ".json"), StateQueued)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("mailer: spool: unreadable entry", "id", id, "err", err)
		}
		return time.Time{}
	}
	now := s.opts.Now()
	if e.Next.After(now) {
		return e.Next
	}
	data, err := os.ReadFile(s.Path(StateQueued, id, ".eml"))
	if err != nil {
		// A .json without its message: filed as failed, never silently lost.
		s.finish(e, StateFailed, "permanent", fmt.Errorf("mailer: spool: read message: %w", err))
		return time.Time{}
	}
	err = sender.send(ctx, e.From, e.To, data)
	now = s.opts.Now()
	var se *SendError
	errors.As(err, &se)
	switch {
	case err == nil:
		s.serverFails.Store(0)
		e.Attempts++
		e.LastError = ""
		s.finish(e, StateSent, "", nil)
		return time.Time{}

	case ctx.Err() != nil && !errors.Is(err, ErrUnknownOutcome):
		// Stopped before the final ".": nothing went out, and this was
		// not the message's fault. It stays queued as it was.
		return time.Time{}

	case serverLevel(err):
		// Every message would meet this one's fate: the server is down,
		// refuses us, or our TLS or credentials are wrong. The message
		// keeps its place, and the whole queue waits.
		e.Attempts++
		e.LastError = err.Error()
		s.pauseQueue(err, now)
		return s.retry(ctx, e, err, now)

	case errors.Is(err, ErrUnknownOutcome):
		e.Attempts++
		e.Unknown++
		e.LastError = err.Error()
		if !s.opts.RetryUnknown {
			s.finish(e, StateUnknown, "unknown", err)
			return time.Time{}
		}
		return s.retry(ctx, e, err, now)

	case se != nil && len(se.Accepted) > 0:
		// A partial delivery: the accepted recipients are done; retry
		// only the temporarily refused ones.
		e.Attempts++
		e.LastError = err.Error()
		e.Delivered = append(e.Delivered, se.Accepted...)
		var again []string
		for _, r := range se.Rejected {
			if r.Temporary() {
				again = append(again, r.Rcpt)
			}
		}
		if len(again) == 0 {
			s.finish(e, StateFailed, "permanent", err)
			return time.Time{}
		}
		e.To = again
		return s.retry(ctx, e, err, now)

	case errors.Is(err, ErrPermanent):
		e.Attempts++
		e.LastError = err.Error()
		s.finish(e, StateFailed, "permanent", err)
		return time.Time{}

	default: // ErrTransient, and errors nobody classified
		e.Attempts++
		e.LastError = err.Error()
		return s.retry(ctx, e, err, now)
	}
}

// serverLevel reports whether err concerns the connection rather than the
// message: a dial, TLS, greeting, EHLO, STARTTLS or AUTH failure.
func serverLevel(err error) bool {
	var se *SendError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Op {
	case OpDial, OpTLS, OpGreeting, OpHello, OpStartTLS, OpAuth:
		return true
	}
	return false
}

// pauseQueue holds every delivery after a server-level failure, for a
// backoff that grows with consecutive failures and ends at the first
// success. A permanent one (a certificate that does not verify, refused
// credentials, a 554 greeting) needs a person: it is logged as an error,
// and messages wait for the configuration to be fixed, up to MaxAge.
func (s *Spool) pauseQueue(err error, now time.Time) {
	n := s.serverFails.Add(1)
	d := s.backoff(int(min(n, 64)))
	s.sched.pause(now.Add(d))
	if errors.Is(err, ErrPermanent) {
		s.log.Error("mailer: spool: the server refuses every message; check the SMTP configuration", "err", err, "pause", d)
	} else {
		s.log.Warn("mailer: spool: server unavailable, the queue waits", "err", err, "pause", d)
	}
}

// retry queues e again after its backoff, or gives it up when that would
// pass MaxAge.
func (s *Spool) retry(ctx context.Context, e *SpoolEntry, err error, now time.Time) time.Time {
	next := now.Add(s.backoff(e.Attempts))
	if next.Sub(e.Enqueued) > s.opts.MaxAge {
		s.finish(e, StateFailed, "expired", fmt.Errorf("gave up after %d attempts over %s: %w",
			e.Attempts, now.Sub(e.Enqueued).Round(time.Second), err))
		return time.Time{}
	}
	e.Next = next.UTC()
	b, merr := e.marshal()
	if merr == nil {
		merr = s.replaceFile(s.Path(StateQueued, e.ID, ".json"), b)
	}
	if merr != nil {
		s.log.Error("mailer: spool: record retry", "id", e.ID, "err", merr)
	}
	s.log.Info("mailer: spool: will retry", "id", e.ID, "message_id", e.MessageID,
		"attempts", e.Attempts, "next", e.Next, "err", err)
	s.report(e, StateQueued, err)
	return e.Next
}

// finish moves e out of the queue into state.
func (s *Spool) finish(e *SpoolEntry, state SpoolState, class string, err error) {
	now := s.opts.Now()
	e.Done = now.UTC()
	e.Next = time.Time{}
	var failure *SpoolFailure
	if err != nil {
		failure = failureOf(err, class, e, now)
	}
	if merr := s.move(e, state, failure); merr != nil {
		s.log.Error("mailer: spool: file message", "id", e.ID, "state", state.String(), "err", merr)
	}
	if err != nil {
		s.log.Warn("mailer: spool: message not delivered", "id", e.ID, "message_id", e.MessageID,
			"state", state.String(), "err", err)
	}
	s.report(e, state, err)
}

func (s *Spool) report(e *SpoolEntry, state SpoolState, err error) {
	if s.opts.OnResult == nil {
		return
	}
	c := *e
	c.To = slices.Clone(e.To)
	c.Delivered = slices.Clone(e.Delivered)
	c.State = state
	s.opts.OnResult(SpoolResult{Entry: c, State: state, Err: err})
}

// backoff returns the wait before retry number attempt (1 for the first):
// MinBackoff doubled per attempt up to MaxBackoff, less a random part of up
// to half ("equal jitter"), so that messages that failed together do not
// all come back together.
func (s *Spool) backoff(attempt int) time.Duration {
	d := s.opts.MinBackoff
	for i := 1; i < attempt && d < s.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, s.opts.MaxBackoff)
	half := d / 2
	return d - half + time.Duration(rand.Int64N(int64(half)+1))
}
