package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/mailtrail/mailtrail/outbox/batch"
)

// sendBatchSummary prints the counts, the reasons of failures and where to
// look.
func sendBatchSummary(w io.Writer, o *sendOptions, s *batch.Summary, outboxName string) {
	rate := 0.0
	if s.Elapsed > 0 {
		rate = float64(s.Sent) / s.Elapsed.Seconds()
	}
	fmt.Fprintf(w, "batch %s: %d records in %s, %.0f messages/s\n", o.Batch, s.Records(), s.Elapsed.Round(time.Millisecond), rate)
	fmt.Fprintf(w, "  sent:     %d", s.Sent)
	if s.Previously > 0 {
		fmt.Fprintf(w, " (and %d sent by an earlier run, skipped)", s.Previously)
	}
	fmt.Fprintln(w)
	if s.Enqueued > 0 {
		fmt.Fprintf(w, "  enqueued: %d (in the outbox: \"mailtrail worker --outbox …\" delivers them)\n", s.Enqueued)
	}
	fmt.Fprintf(w, "  failed:   %d\n", s.Failed)
	fmt.Fprintf(w, "  invalid:  %d\n", s.Invalid)
	if s.Unknown > 0 {
		fmt.Fprintf(w, "  unknown:  %d (the server may have them: \"mailtrail outbox list --state unknown\")\n", s.Unknown)
	}
	if s.Queued > 0 {
		fmt.Fprintf(w, "  queued:   %d (temporary failures: run the same command again to retry)\n", s.Queued)
	}
	if len(s.Reasons) > 0 {
		type rc struct {
			reason string
			n      int
		}
		var rs []rc
		for r, n := range s.Reasons {
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
		fmt.Fprintln(w, "first failures:")
		for _, ex := range s.Examples {
			fmt.Fprintf(w, "  line %d: %s: %s\n", ex.Line, ex.Status, strings.TrimPrefix(ex.Error, fmt.Sprintf("line %d: ", ex.Line)))
		}
	}
	if o.BatchFlags.Report != "" {
		fmt.Fprintf(w, "report: %s\n", o.BatchFlags.Report)
	}
	if s.ReportErr != nil {
		fmt.Fprintf(w, "report: not written: %v\n", s.ReportErr)
	}
	if outboxName != "" {
		fmt.Fprintf(w, "outbox: %s\n", outboxName)
	}
}
