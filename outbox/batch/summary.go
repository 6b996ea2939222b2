package batch

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// Summary is what became of a batch's records.
type Summary struct {
	Sent       int // accepted by the server in this run
	Previously int // sent (or filed) by an earlier run, left alone
	Enqueued   int // stored in the outbox for workers elsewhere
	Queued     int // still queued for a retry, or not stored (see StoreErr)
	Failed     int // refused for good, or given up
	Invalid    int // not a valid record or message: nothing sent
	Unknown    int // the final "." went out, the reply never came

	// Reasons counts the failures (failed, invalid, unknown) by reason,
	// without what varies from record to record (the line).
	Reasons map[string]int
	// Examples are the first failures, by line, at most 10.
	Examples []Entry
	// StoreErr is why the outbox could not store some records (a full
	// disk, a lost connection): they are counted in Queued, and a later
	// run of the same batch enqueues them. nil when every record was
	// stored.
	StoreErr error
	// ReportErr is why the report could not be written, or nil.
	ReportErr error
	// Elapsed is the time the batch took.
	Elapsed time.Duration
}

// Records is how many records the batch held.
func (s *Summary) Records() int {
	return s.Sent + s.Previously + s.Enqueued + s.Queued + s.Failed + s.Invalid + s.Unknown
}

// Reason is the reason of a failure without what varies from record to
// record (the line), to group them.
func Reason(ent Entry) string {
	r := ent.Error
	if i := strings.Index(r, ": "); i >= 0 && strings.HasPrefix(r, "line ") {
		r = r[i+2:]
	}
	r = strings.TrimPrefix(r, "mailer: ")
	if len(r) > 100 {
		r = r[:100] + "…"
	}
	return string(ent.Status) + ": " + r
}

// tally counts outcomes and writes the report, once per record.
type tally struct {
	start    time.Time
	report   *ReportWriter
	onRecord func(Entry)

	mu       sync.Mutex
	reported map[string]bool
	s        Summary
}

func newTally(onRecord func(Entry)) *tally {
	return &tally{start: time.Now(), onRecord: onRecord, reported: map[string]bool{},
		s: Summary{Reasons: map[string]int{}}}
}

// add records one record's outcome, once per key.
func (t *tally) add(ent Entry, key string) {
	t.mu.Lock()
	if key != "" {
		if t.reported[key] {
			t.mu.Unlock()
			return
		}
		t.reported[key] = true
	}
	s := &t.s
	switch ent.Status {
	case StatusSent:
		if ent.Previously {
			s.Previously++
		} else {
			s.Sent++
		}
	case StatusEnqueued:
		s.Enqueued++
	case StatusQueued:
		s.Queued++
	default:
		switch ent.Status {
		case StatusInvalid:
			s.Invalid++
		case StatusUnknown:
			s.Unknown++
		default:
			s.Failed++
		}
		s.Reasons[Reason(ent)]++
		s.Examples = append(s.Examples, ent)
		if len(s.Examples) > 10 {
			sort.Slice(s.Examples, func(i, j int) bool { return s.Examples[i].Line < s.Examples[j].Line })
			s.Examples = s.Examples[:10]
		}
	}
	t.mu.Unlock()
	if t.report != nil {
		if err := t.report.Write(ent); err != nil {
			t.mu.Lock()
			t.s.ReportErr = err
			t.mu.Unlock()
		}
	}
	if t.onRecord != nil {
		t.onRecord(ent)
	}
}

// storeFailed notes the first error of the outbox.
func (t *tally) storeFailed(err error) {
	t.mu.Lock()
	if t.s.StoreErr == nil {
		t.s.StoreErr = err
	}
	t.mu.Unlock()
}

// storeErr is the outbox's first error, or nil.
func (t *tally) storeErr() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.s.StoreErr
}

// summary returns a copy of the counts.
func (t *tally) summary() *Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.s
	s.Elapsed = time.Since(t.start)
	s.Examples = append([]Entry(nil), s.Examples...)
	sort.Slice(s.Examples, func(i, j int) bool { return s.Examples[i].Line < s.Examples[j].Line })
	return &s
}
