package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/mailtrail/mailtrail/internal/progress"
	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/outbox"
	"github.com/mailtrail/mailtrail/outbox/batch"
)

// sendBatchFlagValues are the flags only batch mode reads.
type sendBatchFlagValues struct {
	Report   string        // the JSONL report file
	Wait     time.Duration // how long to keep delivering from a folder outbox
	Progress time.Duration // interval of plain progress lines
}

// sendBatchFlags registers the batch-only flags of send.
func sendBatchFlags(fs *flag.FlagSet, v *sendBatchFlagValues) {
	fs.StringVar(&v.Report, "report", "", "batch mode: write what became of each record to `FILE` (JSON Lines)")
	fs.DurationVar(&v.Wait, "wait", time.Minute, "batch mode, folder outbox: deliver from this process for up to `duration` (less once only later retries are left), then exit 3 if some stay queued for the next run; 0: enqueue only (\"mailtrail worker\" delivers). A PostgreSQL outbox only enqueues")
	fs.DurationVar(&v.Progress, "progress", 5*time.Second, "batch mode: `interval` of progress lines when standard error is not a terminal")
}

// Exit codes of send --batch beyond 0 (every record sent or enqueued) and
// 2 (usage).
const (
	sendBatchExitFailed = 1 // a record was invalid, refused, or its outcome is unknown
	sendBatchExitQueued = 3 // none failed, but some are still queued for a retry
)

// sendBatch sends one message per record of o.Batch with the batch
// engine. Over SMTP, every message goes through a durable outbox: the one
// --outbox names, or by default a folder beside the batch file
// (BATCH.outbox). A folder outbox is delivered from here for up to --wait
// (0: enqueue only); a PostgreSQL one only enqueues, for workers. The
// outbox is also the ledger that lets the same command, run again after a
// crash, skip what went out. With the file transport, or --outbox none,
// the messages are sent directly, the report of an earlier run (--report)
// being the ledger.
func sendBatch(ctx context.Context, e *env, o *sendOptions, cfg mailer.Config, name string) error {
	opts := &batch.Options{
		Mailer:      cfg,
		Template:    name,
		Locale:      o.Locale,
		Concurrency: o.Concurrency,
		Report:      o.BatchFlags.Report,
	}
	outboxName, closeOutbox, err := sendBatchOutbox(ctx, e, o, cfg, opts)
	if err != nil {
		return err
	}
	defer closeOutbox()
	finishProgress := sendBatchProgress(ctx, e, o, opts)
	sum, err := batch.Send(ctx, o.Batch, opts)
	finishProgress()
	if err != nil {
		return err
	}
	sendBatchSummary(e.stdout, o, sum, outboxName)
	if sum.StoreErr != nil {
		fmt.Fprintf(e.stderr, "mailtrail send: %v\n", sum.StoreErr)
	}
	switch {
	case sum.Invalid+sum.Failed+sum.Unknown > 0:
		return &exitError{code: sendBatchExitFailed}
	case sum.Queued > 0:
		return &exitError{code: sendBatchExitQueued}
	}
	return nil
}

// sendBatchOutbox opens the outbox of a batch into opts: --outbox (or
// MAILTRAIL_OUTBOX_URL), else over SMTP the folder BATCH.outbox; none
// with the file transport or --outbox none. It returns the outbox's name
// for the summary ("" for none) and what closes it.
func sendBatchOutbox(ctx context.Context, e *env, o *sendOptions, cfg mailer.Config, opts *batch.Options) (name string, closeOutbox func(), err error) {
	raw := outboxURL(e, o.Outbox)
	if raw == "none" || raw == "" && cfg.Transport.SMTP == nil {
		// Directly, over SMTP or into the folder of the file transport.
		return "", func() {}, nil
	}
	wait := o.BatchFlags.Wait
	if raw == "" {
		raw = o.Batch + ".outbox"
	}
	if kind, _, _ := parseOutboxURL(raw); kind != "folder" {
		wait = 0 // enqueue only: workers deliver
	}
	tr := cfg.Transport.Use // the file transport, when there is no SMTP
	closeTransport := func() {}
	if wait > 0 && cfg.Transport.SMTP != nil {
		smtp := *cfg.Transport.SMTP
		smtp.MaxConns = o.Concurrency
		t := mailer.NewSMTPTransport(&smtp, sendBatchQuietLogger(e.stderr))
		tr, closeTransport = t, func() { t.Close() }
	}
	ob, err := openOutbox(ctx, raw, outboxOpenOptions{
		Transport:   tr,
		Concurrency: o.Concurrency,
		Rules:       outbox.Rules{MinBackoff: time.Second, MaxBackoff: 30 * time.Second},
		Logger:      sendBatchQuietLogger(e.stderr),
	})
	if err != nil {
		closeTransport()
		return "", nil, err
	}
	opts.Outbox, opts.Wait = ob, wait
	return redactURL(raw), func() { ob.Close(); closeTransport() }, nil
}

// sendBatchProgress shows the progress of the batch on standard error
// (--progress): it sets opts.OnStart and opts.OnRecord, and ticks every
// second from the start until finish is called.
func sendBatchProgress(ctx context.Context, e *env, o *sendOptions, opts *batch.Options) (finish func()) {
	var prog *progress.Progress
	started := make(chan struct{})
	opts.OnStart = func(total int) {
		prog = progress.New(e.stderr, sendBatchIsTerminal(e.stderr), total, o.BatchFlags.Progress)
		close(started)
	}
	opts.OnRecord = func(ent batch.Entry) {
		prog.Add(ent.Status != batch.StatusSent && ent.Status != batch.StatusEnqueued && ent.Status != batch.StatusQueued)
	}
	tickCtx, stopTick := context.WithCancel(ctx)
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		select {
		case <-started:
		case <-tickCtx.Done():
			return
		}
		for {
			select {
			case <-tickCtx.Done():
				return
			case <-tick.C:
				prog.Tick()
			}
		}
	}()
	return func() {
		stopTick()
		if prog != nil {
			prog.Finish()
		}
	}
}

// sendBatchIsTerminal reports whether w is a terminal.
func sendBatchIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// sendBatchQuietLogger logs only errors: in a batch, failures go to the
// summary and the report rather than one log line each.
func sendBatchQuietLogger(w io.Writer) *slog.Logger {
	return textLogger(w, slog.LevelError)
}
