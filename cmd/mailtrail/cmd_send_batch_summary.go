package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mailtrail/mailtrail/internal/batch"
)

// sendBatchTally counts outcomes, writes the report and moves the progress.
type sendBatchTally struct {
	start    time.Time
	report   *batch.ReportWriter
	progress *batch.Progress

	mu                                         sync.Mutex
	reported                                   map[string]bool
	sent, previously, failed, invalid, unknown int
	queued                                     int
	reasons                                    map[string]int
	examples                                   []batch.Entry
	reportErr                                  error
}

// add records one record's outcome, once per key.
func (t *sendBatchTally) add(ent batch.Entry, key string) {
	t.mu.Lock()
	if key != "" {
		if t.reported[key] {
			t.mu.Unlock()
			return
		}
		t.reported[key] = true
	}
	bad := false
	switch ent.Status {
	case batch.StatusSent:
		if ent.Previously {
			t.previously++
		} else {
			t.sent++
		}
	case batch.StatusQueued:
		t.queued++
	default:
		bad = true
		switch ent.Status {
		case batch.StatusInvalid:
			t.invalid++
		case batch.StatusUnknown:
			t.unknown++
		default:
			t.failed++
		}
		t.reasons[sendBatchReason(ent)]++
		if len(t.examples) < 10 {
			t.examples = append(t.examples, ent)
		}
	}
	t.mu.Unlock()
	if t.report != nil {
		if err := t.report.Write(ent); err != nil {
			t.mu.Lock()
			t.reportErr = err
			t.mu.Unlock()
		}
	}
	t.progress.Add(bad)
}

// sendBatchReason is the reason of a failure without what varies from
// record to record (the line, the address), to group them.
func sendBatchReason(ent batch.Entry) string {
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

// summary prints the counts, the reasons of failures and where to look.
func (t *sendBatchTally) summary(w io.Writer, o *sendOptions, spoolDir string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	el := time.Since(t.start)
	total := t.sent + t.previously + t.failed + t.invalid + t.unknown + t.queued
	rate := 0.0
	if el > 0 {
		rate = float64(t.sent) / el.Seconds()
	}
	fmt.Fprintf(w, "batch %s: %d records in %s, %.0f messages/s\n", o.Batch, total, el.Round(time.Millisecond), rate)
	fmt.Fprintf(w, "  sent:     %d", t.sent)
	if t.previously > 0 {
		fmt.Fprintf(w, " (and %d sent by an earlier run, skipped)", t.previously)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  failed:   %d\n", t.failed)
	fmt.Fprintf(w, "  invalid:  %d\n", t.invalid)
	if t.unknown > 0 {
		if spoolDir != "" {
			fmt.Fprintf(w, "  unknown:  %d (the server may have them: see %s/unknown)\n", t.unknown, spoolDir)
		} else {
			fmt.Fprintf(w, "  unknown:  %d (the server may have them)\n", t.unknown)
		}
	}
	if t.queued > 0 {
		fmt.Fprintf(w, "  queued:   %d (temporary failures: run the same command again to retry)\n", t.queued)
	}
	if len(t.reasons) > 0 {
		type rc struct {
			reason string
			n      int
		}
		var rs []rc
		for r, n := range t.reasons {
			rs = append(rs, rc{r, n})
		}
		sort.Slice(rs, func(i, j int) bool { return rs[i].n > rs[j].n || rs[i].n == rs[j].n && rs[i].reason < rs[j].reason })
		fmt.Fprintln(w, "reasons:")
		for i, r := range rs {
			if i == 10 {
				fmt.Fprintf(w, "  … and %d more reasons (see the report)\n", len(rs)-10)
				break
			}
			fmt.Fprintf(w, "  %6d  %s\n", r.n, r.reason)
		}
		sort.Slice(t.examples, func(i, j int) bool { return t.examples[i].Line < t.examples[j].Line })
		fmt.Fprintln(w, "first failures:")
		for _, ex := range t.examples {
			fmt.Fprintf(w, "  line %d: %s: %s\n", ex.Line, ex.Status, strings.TrimPrefix(ex.Error, fmt.Sprintf("line %d: ", ex.Line)))
		}
	}
	if o.BatchFlags.Report != "" {
		fmt.Fprintf(w, "report: %s\n", o.BatchFlags.Report)
	}
	if t.reportErr != nil {
		fmt.Fprintf(w, "report: not written: %v\n", t.reportErr)
	}
	if spoolDir != "" {
		fmt.Fprintf(w, "spool:  %s\n", spoolDir)
	}
}
