package outbox

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// scheduler holds the ids of queued messages by due time. It keeps only ids
// and times: the envelope is read from disk when a message is attempted,
// so memory does not grow with the size of the messages.
type scheduler struct {
	mu       sync.Mutex
	h        itemHeap
	known    map[string]bool // queued or in flight
	inflight int
	seq      uint64
	started  bool
	stopped  bool
	scanning bool
	draining bool // Run is stopping: next hands out nothing more
	runErr   error
	hold     time.Time     // no attempt starts before then
	changed  chan struct{} // closed and replaced on every change
}

type schedItem struct {
	id  string
	due time.Time
	seq uint64
}

type itemHeap []schedItem

func (h itemHeap) Len() int { return len(h) }
func (h itemHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}
func (h itemHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *itemHeap) Push(x any)   { *h = append(*h, x.(schedItem)) }
func (h *itemHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

func newScheduler() *scheduler {
	return &scheduler{known: make(map[string]bool), changed: make(chan struct{})}
}

// broadcast wakes every waiter; call with mu held.
func (q *scheduler) broadcast() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// add queues id at due unless it is already queued or in flight.
func (q *scheduler) add(id string, due time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.known[id] {
		return
	}
	q.known[id] = true
	q.seq++
	heap.Push(&q.h, schedItem{id: id, due: due, seq: q.seq})
	q.broadcast()
}

// addIfRunning adds id while Run is active. Run's first scan of queue/
// finds the messages enqueued before it started.
func (q *scheduler) addIfRunning(id string, due time.Time) {
	q.mu.Lock()
	running := q.started && !q.stopped
	q.mu.Unlock()
	if running {
		q.add(id, due)
	}
}

// start resets the scheduler for a new Run.
func (q *scheduler) start() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.h = q.h[:0]
	q.known = make(map[string]bool)
	q.inflight = 0
	q.started, q.stopped, q.scanning, q.draining, q.runErr = true, false, true, false, nil
	q.hold = time.Time{}
	q.broadcast()
}

// expect marks a Run about to start, so that waitIdle waits for it
// rather than reporting the end of the Run before.
func (q *scheduler) expect() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.started, q.stopped = false, false
}

// stop marks Run as returned with err.
func (q *scheduler) stop(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stopped, q.runErr = true, err
	q.broadcast()
}

// next waits for a due id and marks it in flight; false when ctx is done.
func (q *scheduler) next(ctx context.Context, now func() time.Time) (string, bool) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		q.mu.Lock()
		if q.draining {
			q.mu.Unlock()
			return "", false
		}
		var wait <-chan time.Time
		if len(q.h) > 0 {
			due := q.h[0].due
			if q.hold.After(due) {
				due = q.hold
			}
			d := due.Sub(now())
			if d <= 0 {
				it := heap.Pop(&q.h).(schedItem)
				q.inflight++
				q.mu.Unlock()
				return it.id, true
			}
			if timer == nil {
				timer = time.NewTimer(d)
			} else {
				timer.Reset(d)
			}
			wait = timer.C
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return "", false
		case <-ch:
		case <-wait:
		}
	}
}

// drain makes next hand out nothing more: Run is stopping.
func (q *scheduler) drain() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.draining = true
	q.broadcast()
}

// due is when the first queued message may be attempted: its own time, or
// the end of the pause. Call with mu held and the heap not empty.
func (q *scheduler) due() time.Time {
	if d := q.h[0].due; d.After(q.hold) {
		return d
	}
	return q.hold
}

// pause holds every attempt until t, when the server cannot be reached.
func (q *scheduler) pause(t time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if t.After(q.hold) {
		q.hold = t
		q.broadcast()
	}
}

// done ends an attempt: the id is queued again at due, or forgotten when
// due is zero.
func (q *scheduler) done(id string, due time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.inflight--
	if due.IsZero() {
		delete(q.known, id)
	} else {
		q.seq++
		heap.Push(&q.h, schedItem{id: id, due: due, seq: q.seq})
	}
	q.broadcast()
}

func (q *scheduler) setScanning(v bool) {
	q.mu.Lock()
	q.scanning = v
	q.broadcast()
	q.mu.Unlock()
}

// len returns how many ids are queued or in flight.
func (q *scheduler) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.h) + q.inflight
}

// waitIdle waits until nothing is in flight, nothing queued is due now,
// and nothing falls due before until (zero: nothing queued at all). A
// message falls due at its own time or at the end of the queue's pause,
// whichever is later.
func (q *scheduler) waitIdle(ctx context.Context, until time.Time, now func() time.Time) error {
	for {
		q.mu.Lock()
		if q.stopped {
			err := q.runErr
			q.mu.Unlock()
			if err == nil {
				err = ErrNotRunning
			}
			return err
		}
		if q.started && !q.scanning && q.inflight == 0 &&
			(len(q.h) == 0 || !until.IsZero() && q.due().After(until) && q.due().After(now())) {
			q.mu.Unlock()
			return nil
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}
