// Package progress draws how far a batch has got: a bar redrawn in place
// on a terminal, or plain lines for logs.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Progress shows how far a batch has got: a bar redrawn in place on a
// terminal, or a plain line every Interval otherwise (logs, CI). It is safe
// for concurrent use.
type Progress struct {
	w        io.Writer
	tty      bool
	total    int
	interval time.Duration
	now      func() time.Time

	mu           sync.Mutex
	start, last  time.Time
	done, failed int
}

// New returns a Progress of total records written to w: a bar when
// tty is set, else a line every interval (zero means 5 seconds). total may
// be zero when unknown.
func New(w io.Writer, tty bool, total int, interval time.Duration) *Progress {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	if tty && interval > 100*time.Millisecond {
		interval = 100 * time.Millisecond
	}
	p := &Progress{w: w, tty: tty, total: total, interval: interval, now: time.Now}
	p.start = p.now()
	p.last = p.start
	return p
}

// Add counts one finished record; failed says it did not go out.
func (p *Progress) Add(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if failed {
		p.failed++
	}
	if now := p.now(); now.Sub(p.last) >= p.interval {
		p.last = now
		p.draw(now)
	}
}

// Tick draws the progress if Interval has passed since it was last drawn:
// call it from a ticker so that a batch waiting on retries still shows
// signs of life.
func (p *Progress) Tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := p.now(); now.Sub(p.last) >= p.interval {
		p.last = now
		p.draw(now)
	}
}

// Finish draws the final state and ends the bar's line.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw(p.now())
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

func (p *Progress) draw(now time.Time) {
	el := now.Sub(p.start)
	rate := 0.0
	if el > 0 {
		rate = float64(p.done) / el.Seconds()
	}
	if !p.tty {
		if p.total > 0 {
			fmt.Fprintf(p.w, "progress: %d/%d records (%d%%), %d failed, %.0f msg/s, %s elapsed\n",
				p.done, p.total, 100*p.done/p.total, p.failed, rate, el.Round(time.Second))
		} else {
			fmt.Fprintf(p.w, "progress: %d records, %d failed, %.0f msg/s, %s elapsed\n",
				p.done, p.failed, rate, el.Round(time.Second))
		}
		return
	}
	const width = 30
	frac := 0.0
	if p.total > 0 {
		frac = min(float64(p.done)/float64(p.total), 1)
	}
	fill := int(frac * width)
	bar := strings.Repeat("█", fill) + strings.Repeat("░", width-fill)
	eta := "--"
	if rate > 0 && p.total > p.done {
		eta = (time.Duration(float64(p.total-p.done)/rate) * time.Second).Round(time.Second).String()
	}
	// \r and clear-to-end-of-line: redraw in place.
	fmt.Fprintf(p.w, "\r\x1b[K%s %3.0f%% %d/%d  %d failed  %.0f msg/s  ETA %s",
		bar, frac*100, p.done, p.total, p.failed, rate, eta)
}
