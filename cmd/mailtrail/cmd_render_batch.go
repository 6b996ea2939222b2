package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mailtrail/mailtrail/internal/atomicfile"
	"github.com/mailtrail/mailtrail/internal/mbox"
	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/outbox/batch"
)

// renderBatch renders one message per record of o.Batch into the mbox file
// o.Output (mboxrd, RFC 4155). It streams: one record is read, rendered and
// written at a time, so memory does not grow with the batch. The file is
// written beside o.Output under a temporary name and renamed at the end; a
// bad record is reported on standard error with its line number and
// skipped, and the command then exits 1 with the other messages written.
func renderBatch(ctx context.Context, e *env, o *renderOptions) error {
	if o.Output == "" {
		return usagef("--batch needs -o OUT.mbox")
	}
	cfg, name, err := renderMailerConfig(e, o)
	if err != nil {
		return err
	}
	r, err := mailer.NewRenderer(cfg)
	if err != nil {
		return err
	}
	defer batchGC()()
	in, err := os.Open(o.Batch)
	if err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	defer in.Close()

	out, err := atomicfile.Create(o.Output)
	if err != nil {
		return err
	}
	defer out.Abort() // after Commit, nothing
	w := mbox.NewWriter(out)
	recs := batch.NewReader(bufio.NewReader(in))
	start := time.Now()
	written, bad := 0, 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := recs.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("batch %s: %w", o.Batch, err)
		}
		if rec.Err != nil {
			bad++
			var le *batch.LineError
			if errors.As(rec.Err, &le) {
				fmt.Fprintf(e.stderr, "%s:%d: %s\n", o.Batch, le.Line, le.Msg)
			} else {
				fmt.Fprintf(e.stderr, "%s:%d: %v\n", o.Batch, rec.Line, rec.Err)
			}
			continue
		}
		env, err := r.Render(ctx, rec.Message(name, o.Locale))
		if err != nil {
			bad++
			fmt.Fprintf(e.stderr, "%s:%d: %v\n", o.Batch, rec.Line, err)
			continue
		}
		if err := w.WriteMessage(env.From, start, env.Data); err != nil {
			return fmt.Errorf("write %s: %w", o.Output, err)
		}
		written++
	}
	err = w.Flush()
	if err == nil {
		err = out.Commit(0o644)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", o.Output, err)
	}
	fmt.Fprintf(e.stderr, "wrote %s: %d messages in %s", o.Output, written, time.Since(start).Round(time.Millisecond))
	if bad > 0 {
		fmt.Fprintf(e.stderr, ", %d bad records skipped\n", bad)
		return &exitError{code: 1, err: errors.New("some records were not rendered (see above)")}
	}
	fmt.Fprintln(e.stderr)
	return nil
}
