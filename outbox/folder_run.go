package outbox

import (
	"context"
	"errors"
	"fmt"
	"github.com/mailtrail/mailtrail/mailer"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"
)

// Run delivers queued messages, Concurrency at a time, until ctx is done
// or Shutdown is called; it returns nil then, and an error only when it
// could not start or go on. It first takes the folder's lock file, so that
// a second Run on the same directory, in this process or another, returns
// ErrLocked at once. Sends in flight when ctx ends are cut short: those
// whose final "." had gone out are filed as unknown, the others stay
// queued as they were. Shutdown lets them finish.
//
// Messages are attempted in the order they fall due; a message that fails
// temporarily is retried after a backoff and never holds up the others.
func (s *Folder) Run(ctx context.Context) error {
	err := s.run(ctx)
	s.sched.stop(err)
	return err
}

// runState is one Run, for Shutdown.
type runState struct {
	quit        chan struct{} // closed by Shutdown: start no new attempt
	quitOnce    sync.Once
	cancelSends context.CancelFunc
	done        chan struct{} // closed when Run returns
}

// Shutdown stops the Run going on in this process: no new attempt starts,
// the sends in flight finish, or are cut short when ctx ends first (then
// Shutdown returns ctx's error). It returns once Run has returned, and at
// once when no Run is going on.
func (s *Folder) Shutdown(ctx context.Context) error {
	s.runMu.Lock()
	r := s.active
	s.runMu.Unlock()
	if r == nil {
		return nil
	}
	r.quitOnce.Do(func() { close(r.quit) })
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		r.cancelSends()
		<-r.done
		return ctx.Err()
	}
}

// Close stops deliveries as Shutdown does, waiting for the sends in
// flight. The Folder holds no other resource: it may still be used.
func (s *Folder) Close() error { return s.Shutdown(context.Background()) }

// WaitIdle waits until the Run going on in this process has nothing in
// flight, nothing due now, and nothing queued that falls due before until:
// every message was tried at least once since it was queued, and only
// retries later than until are left. A zero until waits for the queue to
// be empty. It returns Run's error, or
// ErrNotRunning, if Run stops first.
func (s *Folder) WaitIdle(ctx context.Context, until time.Time) error {
	return s.sched.waitIdle(ctx, until, s.opts.Now)
}

// Drain runs deliveries until the queue is empty, or until every message
// left in it waits for a retry after until (zero: until the queue is
// empty, which may take MaxAge), then returns. Messages still queued stay
// in queue/ for a later Run or Drain.
func (s *Folder) Drain(ctx context.Context, until time.Time) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Run(runCtx) }()
	err := s.WaitIdle(ctx, until)
	cancel()
	runErr := <-errc
	if err == nil || errors.Is(err, ErrNotRunning) {
		err = runErr
	}
	return err
}

// Queued returns how many messages the running Run holds queued or in
// flight; zero when Run is not running.
func (s *Folder) Queued() int { return s.sched.len() }

func (s *Folder) run(ctx context.Context) error {
	if s.opts.Transport == nil {
		return ErrNoTransport
	}
	unlock, err := lockFolder(s.dir)
	if err != nil {
		return err
	}
	defer unlock()
	sendCtx, cancelSends := context.WithCancel(ctx)
	defer cancelSends()
	r := &runState{quit: make(chan struct{}), cancelSends: cancelSends, done: make(chan struct{})}
	s.runMu.Lock()
	s.active = r
	s.runMu.Unlock()
	defer func() {
		s.runMu.Lock()
		s.active = nil
		s.runMu.Unlock()
		close(r.done)
	}()

	s.sched.start()
	if err := s.scan(); err != nil {
		s.sched.setScanning(false)
		return err
	}
	s.sched.setScanning(false)

	var wg sync.WaitGroup
	for range s.opts.Concurrency {
		wg.Go(func() { s.worker(sendCtx) })
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
		case <-r.quit:
			break loop
		case <-flush.C:
			s.flushDirs()
		case <-tick.C:
			if err := s.scan(); err != nil {
				s.log.Warn("outbox: scan queue", "err", err)
			}
		}
	}
	s.sched.drain() // the workers take nothing more
	wg.Wait()
	s.flushDirs()
	return nil
}

func (s *Folder) flushDirs() {
	for _, st := range states {
		if err := s.syncers[st].flush(); err != nil {
			s.log.Warn("outbox: fsync", "err", err)
		}
	}
}

// scan adds the messages in queue/ that the scheduler does not know yet:
// all of them when Run starts, then those enqueued by other processes.
func (s *Folder) scan() error {
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
		e, err := readEntry(s.Path(StateQueued, id, ".json"), StateQueued)
		if errors.Is(err, fs.ErrNotExist) {
			continue // delivered meanwhile
		}
		if err != nil {
			s.log.Warn("outbox: unreadable entry", "id", id, "err", err)
			continue
		}
		s.sched.add(id, e.Next)
	}
	return nil
}

func (s *Folder) worker(ctx context.Context) {
	for {
		id, ok := s.sched.next(ctx, s.opts.Now)
		if !ok {
			return
		}
		due := s.attempt(ctx, id)
		s.sched.done(id, due)
	}
}

// attempt delivers one queued message and files the outcome as the Rules
// decide. It returns when the message is due again, or the zero time when
// it left the queue (or should not be tried again by this Run).
func (s *Folder) attempt(ctx context.Context, id string) time.Time {
	e, err := readEntry(s.Path(StateQueued, id, ".json"), StateQueued)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("outbox: unreadable entry", "id", id, "err", err)
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
		err = fmt.Errorf("outbox: read message: %w", err)
		e.LastError = err.Error()
		s.file(e, Decision{Action: Fail, Err: err, Failure: FailureOf(err, "permanent", e.Attempts, now)})
		return time.Time{}
	}
	env := &mailer.Envelope{From: e.From, To: e.To, Data: data, MessageID: e.MessageID, Resource: e.Resource}
	_, err = s.opts.Transport.Transmit(ctx, env)
	serverFails := 0
	if err == nil {
		s.serverFails.Store(0)
	} else if ServerLevel(err) {
		serverFails = int(s.serverFails.Add(1))
	}
	d := s.opts.Rules.Decide(e, err, ctx.Err() != nil, serverFails, s.opts.Now())
	switch d.Action {
	case Leave:
		return time.Time{}
	case Snooze:
		s.pauseQueue(err, d.Pause, d.At)
	}
	s.file(e, d)
	if d.Action == Retry || d.Action == Snooze {
		return d.At
	}
	return time.Time{}
}

// pauseQueue holds every delivery after a server-level failure until
// until. A permanent one (a certificate that does not verify, refused
// credentials, a 554 greeting) needs a person: it is logged as an error,
// and messages wait for the configuration to be fixed, up to MaxAge.
func (s *Folder) pauseQueue(err error, pause time.Duration, until time.Time) {
	s.sched.pause(until)
	if errors.Is(err, mailer.ErrPermanent) {
		s.log.Error("outbox: the server refuses every message; check the SMTP configuration", "err", err, "pause", pause)
	} else {
		s.log.Warn("outbox: server unavailable, the queue waits", "err", err, "pause", pause)
	}
}

// file records a decision: a retry rewrites the entry in queue/, a final
// state moves the message out of it.
func (s *Folder) file(e *Entry, d Decision) {
	st := d.Action.State()
	if st == StateQueued {
		b, merr := e.marshal()
		if merr == nil {
			merr = s.replaceFile(s.Path(StateQueued, e.ID, ".json"), b)
		}
		if merr != nil {
			s.log.Error("outbox: record retry", "id", e.ID, "err", merr)
		}
		s.log.Info("outbox: will retry", "id", e.ID, "message_id", e.MessageID,
			"attempts", e.Attempts, "next", e.Next, "err", d.Err)
		s.report(e, st, d.Err)
		return
	}
	if merr := s.move(e, st, d.Failure); merr != nil {
		s.log.Error("outbox: file message", "id", e.ID, "state", st.String(), "err", merr)
	}
	if d.Err != nil {
		s.log.Warn("outbox: message not delivered", "id", e.ID, "message_id", e.MessageID,
			"state", st.String(), "err", d.Err)
	}
	s.report(e, st, d.Err)
}

func (s *Folder) report(e *Entry, state State, err error) {
	s.watchMu.Lock()
	watchers := s.watchers
	s.watchMu.Unlock()
	if s.opts.OnResult == nil && len(watchers) == 0 {
		return
	}
	c := *e
	c.To = slices.Clone(e.To)
	c.Delivered = slices.Clone(e.Delivered)
	c.State = state
	r := Result{Entry: c, State: state, Err: err}
	if s.opts.OnResult != nil {
		s.opts.OnResult(r)
	}
	for _, w := range watchers {
		w.fn(r)
	}
}

// watcher is one Watch callback.
type watcher struct{ fn func(Result) }

// Watch calls fn after every delivery attempt of this process's Run, as
// FolderOptions.OnResult does, until the returned stop is called: how the
// batch engine reports what became of its records. fn is called from the
// delivering goroutines: it must be safe for concurrent use and quick.
func (s *Folder) Watch(fn func(Result)) (stop func()) {
	w := &watcher{fn: fn}
	s.watchMu.Lock()
	s.watchers = append(slices.Clone(s.watchers), w)
	s.watchMu.Unlock()
	return func() {
		s.watchMu.Lock()
		s.watchers = slices.DeleteFunc(slices.Clone(s.watchers), func(x *watcher) bool { return x == w })
		s.watchMu.Unlock()
	}
}
