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
	b := &renderBatchRun{e: e, o: o, r: r, name: name, start: time.Now()}
	if err := b.writeAll(ctx, batch.NewReader(bufio.NewReader(in)), w); err != nil {
		return err
	}
	err = w.Flush()
	if err == nil {
		err = out.Commit(0o644)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", o.Output, err)
	}
	return b.report()
}

// renderBatchRun is one run of render --batch.
type renderBatchRun struct {
	e       *env
	o       *renderOptions
	r       *mailer.Renderer
	name    string    // the template
	start   time.Time // also the mbox "From " line's date of every message
	written int
	bad     int
}

// writeAll renders every record of recs into w. A bad record is reported
// on standard error and skipped; the error is for what stops the batch.
func (b *renderBatchRun) writeAll(ctx context.Context, recs *batch.Reader, w *mbox.Writer) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := recs.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("batch %s: %w", b.o.Batch, err)
		}
		if rec.Err != nil {
			b.bad++
			var le *batch.LineError
			if errors.As(rec.Err, &le) {
				fmt.Fprintf(b.e.stderr, "%s:%d: %s\n", b.o.Batch, le.Line, le.Msg)
			} else {
				fmt.Fprintf(b.e.stderr, "%s:%d: %v\n", b.o.Batch, rec.Line, rec.Err)
			}
			continue
		}
		env, err := b.r.Render(ctx, rec.Message(b.name, b.o.Locale))
		if err != nil {
			b.bad++
			fmt.Fprintf(b.e.stderr, "%s:%d: %v\n", b.o.Batch, rec.Line, err)
			continue
		}
		if err := w.WriteMessage(env.From, b.start, env.Data); err != nil {
			return fmt.Errorf("write %s: %w", b.o.Output, err)
		}
		b.written++
	}
}

// report prints what was written, and fails (exit 1) when a record was
// skipped.
func (b *renderBatchRun) report() error {
	fmt.Fprintf(b.e.stderr, "wrote %s: %d messages in %s", b.o.Output, b.written, time.Since(b.start).Round(time.Millisecond))
	if b.bad > 0 {
		fmt.Fprintf(b.e.stderr, ", %d bad records skipped\n", b.bad)
		return &exitError{code: 1, err: errors.New("some records were not rendered (see above)")}
	}
	fmt.Fprintln(b.e.stderr)
	return nil
}
