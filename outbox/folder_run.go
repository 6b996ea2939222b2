package outbox

import (
	"context"
	"errors"
	"fmt"
	"github.com/mailtrail/mailtrail/mailer"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	s.sched.expect()
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
	s.startSegments()
	defer s.stopSegments()
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
	s.flushSegments()
	for _, st := range states {
		if err := s.syncers[st].flush(); err != nil {
			s.log.Warn("outbox: fsync", "err", err)
		}
	}
}

// scan adds the messages in queue/ that the scheduler does not know yet:
// all of them when Run starts, then those enqueued by other processes.
func (s *Folder) scan() error {
	des, err := os.ReadDir(filepath.Join(s.dir, dirOf(StateQueued)))
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	for _, de := range des {
		name := de.Name()
		if strings.HasSuffix(name, segExt) {
			dues, err := s.adoptSegment(name, false)
			if err != nil {
				s.log.Warn("outbox: unreadable segment", "segment", name, "err", err)
			}
			for _, d := range dues {
				s.sched.add(d.id, d.at)
			}
			continue
		}
		id, ok := strings.CutSuffix(name, ".json")
		if !ok || strings.HasSuffix(id, ".error") {
			continue
		}
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
	// A message of a segment that could not be filed stays queued there.
	s.live.mu.Lock()
	var dues []dueMsg
	for id, m := range s.live.msgs {
		dues = append(dues, dueMsg{id: id, at: m.e.Next})
	}
	s.live.mu.Unlock()
	for _, d := range dues {
		s.sched.add(d.id, d.at)
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
	m := s.liveMessage(id) // nil for a message with its own files
	e, data, err := s.load(m, id)
	if e == nil {
		return time.Time{}
	}
	now := s.opts.Now()
	if e.Next.After(now) {
		return e.Next
	}
	if err != nil {
		// An entry without its message: filed as failed, never silently lost.
		err = fmt.Errorf("outbox: read message: %w", err)
		e.LastError = err.Error()
		s.file(m, e, Decision{Action: Fail, Err: err, Failure: FailureOf(err, "permanent", e.Attempts, now)}, nil)
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
	s.file(m, e, d, data)
	if d.Action == Retry || d.Action == Snooze {
		return d.At
	}
	return time.Time{}
}

// load reads a queued message's entry and bytes: from its segment (m),
// or from its own files. It returns a nil entry when the message is gone
// or unreadable, and the entry with an error when only its bytes are.
func (s *Folder) load(m *liveMsg, id string) (*Entry, []byte, error) {
	if m != nil {
		return s.loadLive(m)
	}
	e, err := readEntry(s.Path(StateQueued, id, ".json"), StateQueued)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("outbox: unreadable entry", "id", id, "err", err)
		}
		return nil, nil, err
	}
	data, err := os.ReadFile(s.Path(StateQueued, id, ".eml"))
	return e, data, err
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

// file records a decision: for a message of a segment (m), in the
// segment's log; for a message with its own files, a retry rewrites the
// entry in queue/ and a final state moves the message out of it.
func (s *Folder) file(m *liveMsg, e *Entry, d Decision, data []byte) {
	st := d.Action.State()
	var err error
	switch {
	case m != nil:
		err = s.fileLive(m, e, st, d.Failure, data)
	case st == StateQueued:
		var b []byte
		if b, err = e.marshal(); err == nil {
			err = s.replaceFile(s.Path(StateQueued, e.ID, ".json"), b)
		}
	default:
		err = s.move(e, st, d.Failure)
	}
	if err != nil {
		s.log.Error("outbox: file message", "id", e.ID, "state", st.String(), "err", err)
	}
	if st == StateQueued {
		s.log.Info("outbox: will retry", "id", e.ID, "message_id", e.MessageID,
			"attempts", e.Attempts, "next", e.Next, "err", d.Err)
	} else if d.Err != nil {
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
