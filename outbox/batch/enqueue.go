package batch

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/outbox"
)

// keyLister is a store that lists its keys at once (the folder store):
// a batch run again then skips, without rendering them, the records an
// earlier run enqueued. Without it, the store's ErrDuplicate tells.
type keyLister interface {
	// Keys returns the keys starting with prefix, and the state of each.
	Keys(ctx context.Context, prefix string) (map[string]outbox.State, error)
	// Lookup returns the message with that id or key, with its Failure.
	Lookup(ctx context.Context, id string) (*outbox.Entry, error)
}

// deliverer is a store this process delivers from while the batch runs:
// the folder store.
type deliverer interface {
	outbox.Store
	keyLister
	WaitIdle(ctx context.Context, until time.Time) error
	Watch(fn func(outbox.Result)) (stop func())
}

// viaOutbox renders every record into the outbox, in groups, and, for a
// store delivered from here, delivers until Wait.
func (r *run) viaOutbox(ctx context.Context) error {
	prefix := r.o.Name + "-L"
	v := &outboxPass{ready: make(chan readyRec, group)}
	// The records an earlier run left in the outbox: only those are
	// looked up, and they are not rendered again.
	v.kl, _ = r.o.Outbox.(keyLister)
	v.earlier = map[string]outbox.State{}
	if v.kl != nil {
		var err error
		if v.earlier, err = v.kl.Keys(ctx, prefix); err != nil {
			return err
		}
	}
	d, deliver := r.o.Outbox.(deliverer)
	v.deliver = deliver && r.o.Wait > 0
	stopRun := func() error { return nil }
	if v.deliver {
		var unwatch func()
		stopRun, unwatch = r.deliverHere(ctx, d, prefix)
		defer unwatch()
	}

	enqDone := make(chan struct{})
	go func() {
		defer close(enqDone)
		r.enqueuer(ctx, r.o.Outbox, v.ready, v.deliver)
	}()
	err := r.workers(ctx, len(r.mailers), func(w int, rec *Record) { r.renderRecord(ctx, v, w, rec) })
	close(v.ready)
	<-enqDone
	if !v.deliver {
		return err
	}
	if err == nil {
		err = r.waitDelivered(ctx, d)
	}
	if rerr := stopRun(); err == nil {
		err = rerr
	}
	if err != nil {
		return err
	}
	return r.tallyQueued(ctx, d, prefix)
}

// outboxPass is what the workers of viaOutbox share.
type outboxPass struct {
	kl      keyLister               // nil when the store cannot list its keys
	earlier map[string]outbox.State // the keys an earlier run left in the outbox
	deliver bool                    // the store is delivered from here: Run reports
	ready   chan readyRec           // rendered records, for the enqueuer
}

// deliverHere runs d's deliveries while the batch runs, tallying each
// message of the batch (its key starts with prefix) as Run files it. stop
// ends the deliveries and returns Run's error; unwatch ends the tallying.
func (r *run) deliverHere(ctx context.Context, d deliverer, prefix string) (stop func() error, unwatch func()) {
	unwatch = d.Watch(func(res outbox.Result) {
		if res.State != outbox.StateQueued && strings.HasPrefix(res.Entry.Key, prefix) {
			r.t.add(entryOf(r.o.Name+"-", &res.Entry, res.State, res.Err), res.Entry.Key)
		}
	})
	runCtx, cancel := context.WithCancel(ctx)
	runErr := make(chan error, 1)
	go func() { runErr <- d.Run(runCtx) }()
	stop = func() error {
		cancel()
		return <-runErr
	}
	return stop, unwatch
}

// renderRecord renders rec with worker w's mailer and passes it on to the
// enqueuer, unless an earlier run left it in the outbox or the outbox
// cannot store.
func (r *run) renderRecord(ctx context.Context, v *outboxPass, w int, rec *Record) {
	key := r.key(rec)
	if r.earlierRun(ctx, v, key) {
		return
	}
	if err := r.t.storeErr(); err != nil {
		// The outbox cannot store: the record stays for a later run.
		r.t.add(Entry{Line: rec.Line, To: recipients(rec), Resource: rec.Resource,
			Status: StatusQueued, Error: err.Error()}, key)
		return
	}
	r.tokens[w] = r.token(rec)
	env, err := r.mailers[w].Render(ctx, r.message(rec))
	if err != nil {
		r.t.add(Entry{Line: rec.Line, To: recipients(rec), Resource: rec.Resource,
			Status: StatusInvalid, Error: err.Error()}, key)
		return
	}
	v.ready <- readyRec{line: rec.Line, key: key, to: recipients(rec), env: env}
}

// earlierRun reports whether an earlier run left the record of key in the
// outbox, tallying it as that run left it (a queued one that Run delivers
// is tallied when Run files it).
func (r *run) earlierRun(ctx context.Context, v *outboxPass, key string) bool {
	st, ok := v.earlier[key]
	if !ok {
		return false
	}
	if st == outbox.StateQueued && v.deliver {
		return true // Run delivers it and reports it
	}
	prev, err := v.kl.Lookup(ctx, key)
	if err != nil {
		return false
	}
	ent := entryOf(r.o.Name+"-", prev, prev.State, nil)
	ent.Previously = true
	if prev.State == outbox.StateQueued {
		ent.Status = StatusEnqueued
	}
	r.t.add(ent, key)
	return true
}

// tallyQueued tallies what is still queued after the deliveries from
// here: it waits for the next run.
func (r *run) tallyQueued(ctx context.Context, d deliverer, prefix string) error {
	keys, err := d.Keys(ctx, prefix)
	if err != nil {
		return err
	}
	for key, st := range keys {
		if st != outbox.StateQueued {
			continue
		}
		if e, err := d.Lookup(ctx, key); err == nil && e.State == outbox.StateQueued {
			r.t.add(entryOf(r.o.Name+"-", e, outbox.StateQueued, nil), key)
		}
	}
	return nil
}

// waitDelivered waits until every message was tried and only retries
// later than the start plus Wait are left, or until Wait has passed; then
// it stops deliveries, cutting short the sends in flight (those whose
// final "." went out are filed as unknown, the others stay queued).
func (r *run) waitDelivered(ctx context.Context, d deliverer) error {
	until := r.t.start.Add(r.o.Wait)
	waitCtx, cancel := context.WithDeadline(ctx, until)
	defer cancel()
	err := d.WaitIdle(waitCtx, until)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		err = nil // Wait has passed: what is left stays queued
	}
	if err != nil && !errors.Is(err, outbox.ErrNotRunning) {
		return err
	}
	// Sends still in flight now had their time: cut them short.
	expired, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	if serr := d.Shutdown(expired); serr != nil && !errors.Is(serr, context.Canceled) {
		return serr
	}
	return nil
}

// readyRec is a rendered record waiting to be enqueued.
type readyRec struct {
	line int
	key  string
	to   string // the record's recipients, for the report
	env  *mailer.Envelope
}

// enqueuer enqueues the messages of ready in groups: whatever is ready
// when the previous group is stored, up to group. A message the outbox
// refuses as invalid is tallied as invalid; one it cannot store stays
// queued (a later run stores it) and stops the storing of the rest. With
// deliver, a stored message is tallied when Run files it; else it is
// tallied as enqueued.
func (r *run) enqueuer(ctx context.Context, ob outbox.Store, in <-chan readyRec, deliver bool) {
	batch := make([]readyRec, 0, group)
	items := make([]outbox.Item, 0, group)
	for first := range in {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < group {
			select {
			case rr, ok := <-in:
				if !ok {
					break fill
				}
				batch = append(batch, rr)
			default:
				break fill
			}
		}
		items = items[:0]
		for _, rr := range batch {
			items = append(items, outbox.Item{Key: rr.key, Env: rr.env})
		}
		if r.t.storeErr() == nil {
			ob.EnqueueBatch(ctx, items)
		} else {
			for i := range items {
				items[i].Err = r.t.storeErr()
			}
		}
		for i, it := range items {
			rr := batch[i]
			ent := Entry{Line: rr.line, To: rr.to, Resource: rr.env.Resource, MessageID: rr.env.MessageID}
			switch {
			case it.Err == nil && deliver:
				continue // Run reports it
			case it.Err == nil:
				ent.Status = StatusEnqueued
			case errors.Is(it.Err, outbox.ErrDuplicate) && deliver:
				continue // enqueued meanwhile: Run reports it
			case errors.Is(it.Err, outbox.ErrDuplicate):
				ent.Status, ent.Previously = StatusEnqueued, true // by an earlier run
			case errors.Is(it.Err, mailer.ErrInvalidMessage):
				ent.Status, ent.Error = StatusInvalid, it.Err.Error()
			default:
				r.t.storeFailed(it.Err)
				ent.Status, ent.Error = StatusQueued, it.Err.Error()
			}
			r.t.add(ent, rr.key)
		}
		clear(items) // let the messages go
		clear(batch)
	}
}

// entryOf is the report line of a message in the outbox whose key starts
// with prefix, the batch's name and "-".
func entryOf(prefix string, e *outbox.Entry, state outbox.State, err error) Entry {
	ent := Entry{To: strings.Join(e.To, ", "), Resource: e.Resource, MessageID: e.MessageID}
	if len(e.Delivered) > 0 {
		ent.To = strings.Join(append(append([]string(nil), e.Delivered...), e.To...), ", ")
	}
	if k, ok := strings.CutPrefix(e.Key, prefix); ok {
		ent.Line, _ = KeyLine(k)
	}
	switch state {
	case outbox.StateSent:
		ent.Status = StatusSent
	case outbox.StateFailed:
		ent.Status = StatusFailed
	case outbox.StateUnknown:
		ent.Status = StatusUnknown
	default:
		ent.Status = StatusQueued
		ent.Error = e.LastError
	}
	switch {
	case err != nil:
		ent.Error = err.Error()
	case e.Failure != nil:
		ent.Error = e.Failure.Error
	}
	return ent
}
