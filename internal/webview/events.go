package webview

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// broker fans a change notification out to every open event stream. Each
// subscriber has a one-slot channel: a burst of changes while a browser is
// still reloading collapses into one pending notification.
type broker struct {
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
	seq  uint64 // number of changes so far, sent as the event's data
}

func newBroker() *broker {
	return &broker{subs: make(map[chan struct{}]struct{})}
}

// subscribe returns a new subscriber's channel, or nil when limit are
// open already.
func (b *broker) subscribe(limit int) chan struct{} {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.subs) >= limit {
		return nil
	}
	b.subs[ch] = struct{}{}
	return ch
}

func (b *broker) unsubscribe(ch chan struct{}) {
	b.mu.Lock()
	delete(b.subs, ch)
	b.mu.Unlock()
}

// publish tells every subscriber that something changed. It never blocks.
func (b *broker) publish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	for ch := range b.subs {
		select {
		case ch <- struct{}{}:
		default: // one is already pending
		}
	}
}

func (b *broker) count() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seq
}

// keepAlive is how often an idle stream gets a comment line, so that proxies
// and browsers do not drop it.
const keepAlive = 25 * time.Second

// serveEvents streams server-sent events: a "ready" event once subscribed,
// then a "reload" event after each change. It ends when the client goes away
// or the server shuts down (the request context is cancelled).
func (b *broker) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	ch := b.subscribe(streamLimit(r.Context()))
	if ch == nil {
		// Closing the connection gives its slot under the connection cap
		// to a page instead of keeping an idle one.
		w.Header().Set("Connection", "close")
		w.Header().Set("Retry-After", "10")
		httpError(w, http.StatusServiceUnavailable, "webview: too many open event streams")
		return
	}
	defer b.unsubscribe(ch)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	// The browser retries a dropped stream after a second; that is how an
	// open page finds a restarted server.
	fmt.Fprintf(w, "retry: 1000\nevent: ready\ndata: %d\n\n", b.count())
	if err := rc.Flush(); err != nil {
		return
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case <-ch:
			fmt.Fprintf(w, "event: reload\ndata: %d\n\n", b.count())
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
