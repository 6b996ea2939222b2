package postgres

import (
	"fmt"
	"sync"
	"time"
)

// State says where a message stands.
type State int

// The states of a message, and the River job states they gather.
const (
	Queued  State = iota // available, scheduled, retryable, pending or running
	Sent                 // completed: accepted with 250
	Failed               // cancelled by the worker (refused, or too old), or discarded
	Unknown              // cancelled by the worker: the last attempt's outcome is unknown
)

// String returns "queued", "sent", "failed" or "unknown".
func (s State) String() string {
	switch s {
	case Queued:
		return "queued"
	case Sent:
		return "sent"
	case Failed:
		return "failed"
	case Unknown:
		return "unknown"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// pause holds a worker's attempts after a server-level failure, for a
// backoff that grows with consecutive failures and ends at the first
// success.
type pause struct {
	mu    sync.Mutex
	fails int
	until time.Time
}

// fail counts a server-level failure and returns how long to hold.
func (p *pause) fail(now time.Time, lo, hi time.Duration) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fails = min(p.fails+1, 64)
	d := backoff(p.fails, lo, hi)
	if t := now.Add(d); t.After(p.until) {
		p.until = t
	}
	return p.until.Sub(now)
}

// left returns how long attempts are still held.
func (p *pause) left(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.until.Sub(now), 0)
}

func (p *pause) reset() {
	p.mu.Lock()
	p.fails, p.until = 0, time.Time{}
	p.mu.Unlock()
}
