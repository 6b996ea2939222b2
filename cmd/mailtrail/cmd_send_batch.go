package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/mailtrail/mailtrail/internal/batch"
	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/outbox"
)

// sendBatchFlagValues are the flags only batch mode reads.
type sendBatchFlagValues struct {
	Report   string        // the JSONL report file
	Spool    string        // the spool folder; "" means BATCH.spool
	Wait     time.Duration // how long to keep retrying temporary failures
	Progress time.Duration // interval of plain progress lines
}

// sendBatchFlags registers the batch-only flags of send.
func sendBatchFlags(fs *flag.FlagSet, v *sendBatchFlagValues) {
	fs.StringVar(&v.Report, "report", "", "batch mode: write what became of each record to `FILE` (JSON Lines)")
	fs.StringVar(&v.Spool, "spool", "", "batch mode: the durable outbox `DIR` messages go through (default: the batch file's name + .spool; \"none\": send directly, the report being the only ledger)")
	fs.DurationVar(&v.Wait, "wait", time.Minute, "batch mode: keep retrying temporary failures for `duration` before exiting (the rest stay queued in the spool for the next run)")
	fs.DurationVar(&v.Progress, "progress", 5*time.Second, "batch mode: `interval` of progress lines when standard error is not a terminal")
}

// Exit codes of send --batch beyond 0 (every record sent) and 2 (usage).
const (
	sendBatchExitFailed = 1 // a record was invalid, refused, or its outcome is unknown
	sendBatchExitQueued = 3 // none failed, but some are still queued for a retry
)

// sendBatch sends one message per record of o.Batch. Over SMTP every
// message goes through a durable spool (o.BatchFlags.Spool), which is also
// the ledger that lets the same command, run again after a crash, skip what
// already went out: a record is known by its line number and resource.
// Without SMTP the messages are written to the local outbox, and with
// --spool none they are sent directly, faster but not durable: there the
// report of an earlier run (--report) is the ledger.
func sendBatch(ctx context.Context, e *env, o *sendOptions, cfg mailer.Config, name string) error {
	f, err := os.Open(o.Batch)
	if err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	defer f.Close()
	sum := sha256.New()
	total, err := sendBatchCountRecords(io.TeeReader(f, sum))
	if err != nil {
		return fmt.Errorf("batch %s: %w", o.Batch, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("batch %s: %w", o.Batch, err)
	}

	direct := cfg.SMTP == nil || o.BatchFlags.Spool == "none"
	// One Mailer per worker, each with its own token source: a record's
	// Message-ID is derived from the batch file and the record, so that a
	// record sent again after a crash carries the same Message-ID, which
	// lets receivers drop the copy.
	workers := o.Concurrency
	if !direct {
		workers = sendBatchRenderers
	}
	b := &sendBatchRun{e: e, o: o, name: name, sum: sum.Sum(nil), tokens: make([]string, workers)}
	for w := range workers {
		wcfg := cfg
		if wcfg.SMTP != nil {
			c := *wcfg.SMTP
			c.MaxConns = 1
			wcfg.SMTP = &c
		}
		wcfg.NewToken = func() string { return b.tokens[w] }
		m, err := mailer.New(wcfg)
		if err != nil {
			return err
		}
		defer m.Close()
		b.mailers = append(b.mailers, m)
	}

	t := &sendBatchTally{
		start:    time.Now(),
		reported: map[string]bool{},
		reasons:  map[string]int{},
		progress: batch.NewProgress(e.stderr, sendBatchIsTerminal(e.stderr), total, o.BatchFlags.Progress),
	}
	if o.BatchFlags.Report != "" {
		if t.report, err = batch.CreateReport(o.BatchFlags.Report); err != nil {
			return err
		}
		defer func() {
			if t.report != nil {
				t.report.Stop()
			}
		}()
	}

	b.t, b.recs = t, batch.NewReader(bufio.NewReader(f))
	tickCtx, stopTick := context.WithCancel(ctx)
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-tickCtx.Done():
				return
			case <-tick.C:
				t.progress.Tick()
			}
		}
	}()
	if direct {
		err = b.direct(ctx)
	} else {
		err = b.viaSpool(ctx, cfg.SMTP)
	}
	stopTick()
	t.progress.Finish()
	if err != nil {
		return err
	}
	if t.report != nil {
		if err := t.report.Close(); err != nil {
			return err
		}
		t.report = nil
	}
	t.summary(e.stdout, o, b.spoolDir)
	switch {
	case t.invalid+t.failed+t.unknown > 0:
		return &exitError{code: sendBatchExitFailed}
	case t.queued > 0:
		return &exitError{code: sendBatchExitQueued}
	}
	return nil
}

// sendBatchRenderers is how many records are rendered and enqueued at once
// in spool mode: Enqueue waits for fsync, and concurrent ones share it.
const sendBatchRenderers = 8

// sendBatchRun is one run of a batch.
type sendBatchRun struct {
	e        *env
	o        *sendOptions
	mailers  []*mailer.Mailer // one per worker
	tokens   []string         // the Message-ID token of each worker's next message
	sum      []byte           // SHA-256 of the batch file
	name     string
	t        *sendBatchTally
	recs     *batch.Reader
	spoolDir string
}

// token is the Message-ID token of a record: the same for the same record
// of the same batch file, different for any other.
func (b *sendBatchRun) token(rec *batch.Record) string {
	h := sha256.New()
	h.Write(b.sum)
	fmt.Fprintf(h, "\x00%d\x00%s\x00%s", rec.Line, rec.Resource, strings.Join(rec.To, ","))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil)[:15]))
}

// message turns a record into a Message.
func (b *sendBatchRun) message(rec *batch.Record) *mailer.Message {
	locale := rec.Locale
	if locale == "" {
		locale = b.o.Locale
	}
	return &mailer.Message{Template: b.name, Locale: locale, To: rec.To, Resource: rec.Resource, Data: rec.Data}
}

// workers runs fn on every record with n goroutines; bad records are
// tallied here. It returns the first read error.
func (b *sendBatchRun) workers(ctx context.Context, n int, fn func(w int, rec *batch.Record)) error {
	jobs := make(chan *batch.Record, n)
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			for rec := range jobs {
				fn(w, rec)
			}
		})
	}
	var err error
	for ctx.Err() == nil {
		var rec *batch.Record
		rec, err = b.recs.Next()
		if err != nil {
			break
		}
		if rec.Err != nil {
			b.t.add(batch.Entry{Line: rec.Line, To: strings.Join(rec.To, ", "), Resource: rec.Resource,
				Status: batch.StatusInvalid, Error: rec.Err.Error()}, "")
			continue
		}
		jobs <- rec
	}
	close(jobs)
	wg.Wait()
	if err == io.EOF {
		err = nil
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("batch %s: %w", b.o.Batch, err)
	}
	return nil
}

// viaSpool renders every record into the spool and delivers from it.
func (b *sendBatchRun) viaSpool(ctx context.Context, smtp *mailer.SMTPConfig) error {
	b.spoolDir = b.o.BatchFlags.Spool
	if b.spoolDir == "" {
		b.spoolDir = b.o.Batch + ".spool"
	}
	t := b.t
	c := *smtp
	c.MaxConns = b.o.Concurrency
	tr := mailer.NewSMTPTransport(&c, sendBatchQuietLogger(b.e.stderr))
	defer tr.Close()
	sp, err := outbox.OpenFolder(b.spoolDir, &outbox.FolderOptions{
		Transport:   tr,
		Concurrency: b.o.Concurrency,
		Rules:       outbox.Rules{MinBackoff: time.Second, MaxBackoff: 30 * time.Second},
		Logger:      sendBatchQuietLogger(b.e.stderr),
		OnResult: func(r outbox.Result) {
			if r.State == outbox.StateQueued {
				return // a retry comes later
			}
			t.add(sendBatchEntry(&r.Entry, r.State, r.Err), r.Entry.Key)
		},
	})
	if err != nil {
		return err
	}
	// The records an earlier run left in the spool, by key: only those
	// are looked up (a lookup of a key that is not there tries every
	// folder). Read before Run starts moving messages between folders.
	earlier := map[string]bool{}
	for _, st := range []outbox.State{outbox.StateQueued, outbox.StateSent, outbox.StateFailed, outbox.StateUnknown} {
		ids, err := sp.IDs(st)
		if err != nil {
			return err
		}
		for _, id := range ids {
			earlier[id] = true
		}
	}
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	runErr := make(chan error, 1)
	go func() { runErr <- sp.Run(runCtx) }()

	// Rendering is CPU work; making messages durable waits for the disk.
	// Renderers hand their messages to one enqueuer, which makes all that
	// are ready durable together with one EnqueueBatch (one sync for the
	// group), while the renderers go on.
	ready := make(chan sendBatchReady, sendBatchGroup)
	enqDone := make(chan struct{})
	go func() {
		defer close(enqDone)
		b.enqueuer(ctx, sp, ready)
	}()
	err = b.workers(ctx, len(b.mailers), func(w int, rec *batch.Record) {
		key := batch.Key(rec.Line, rec.Resource)
		if earlier[key] {
			if prev, err := sp.Lookup(key); err == nil {
				if prev.State != outbox.StateQueued {
					ent := sendBatchEntry(prev, prev.State, nil)
					if f, ferr := sp.Failure(key); ferr == nil {
						ent.Error = f.Error
					}
					ent.Previously = true
					t.add(ent, key)
				}
				return // queued: Run delivers it and reports it
			}
		}
		b.tokens[w] = b.token(rec)
		env, err := b.mailers[w].Render(ctx, b.message(rec))
		if err != nil {
			t.add(batch.Entry{Line: rec.Line, To: strings.Join(rec.To, ", "), Resource: rec.Resource,
				Status: batch.StatusInvalid, Error: err.Error()}, key)
			return
		}
		ready <- sendBatchReady{line: rec.Line, key: key, to: strings.Join(rec.To, ", "), env: env}
	})
	close(ready)
	<-enqDone
	if err == nil {
		// Until every message is filed, or only retries later than --wait
		// are left.
		err = sp.WaitIdle(ctx, t.start.Add(b.o.BatchFlags.Wait))
	}
	stopRun()
	if rerr := <-runErr; err == nil || errors.Is(err, outbox.ErrNotRunning) {
		err = rerr
	}
	if err != nil {
		return err
	}
	// What is still queued waits for the next run.
	left, err := sp.List(ctx, outbox.StateQueued)
	if err != nil {
		return err
	}
	for _, ent := range left {
		if !strings.HasPrefix(ent.Key, "L") {
			continue // not a record of a batch
		}
		t.add(sendBatchEntry(ent, outbox.StateQueued, nil), ent.Key)
	}
	return nil
}

// sendBatchGroup is the most messages made durable together.
const sendBatchGroup = 256

// sendBatchReady is a rendered record waiting to be enqueued.
type sendBatchReady struct {
	line int
	key  string
	to   string // the record's recipients, for the report
	env  *mailer.Envelope
}

// enqueuer enqueues the messages of ready in groups: whatever is ready
// when the previous group is on disk, up to sendBatchGroup. A message that
// could not be enqueued is tallied as failed; one that was is reported
// when Run files it.
func (b *sendBatchRun) enqueuer(ctx context.Context, sp *outbox.Folder, ready <-chan sendBatchReady) {
	group := make([]sendBatchReady, 0, sendBatchGroup)
	items := make([]outbox.Item, 0, sendBatchGroup)
	for first := range ready {
		group = append(group[:0], first)
	fill:
		for len(group) < sendBatchGroup {
			select {
			case r, ok := <-ready:
				if !ok {
					break fill
				}
				group = append(group, r)
			default:
				break fill
			}
		}
		items = items[:0]
		for _, r := range group {
			items = append(items, outbox.Item{Key: r.key, Env: r.env})
		}
		sp.EnqueueBatch(ctx, items)
		for i, it := range items {
			if it.Err != nil && !errors.Is(it.Err, outbox.ErrDuplicate) {
				r := group[i]
				b.t.add(batch.Entry{Line: r.line, To: r.to, Resource: r.env.Resource,
					MessageID: r.env.MessageID, Status: batch.StatusFailed, Error: it.Err.Error()}, r.key)
			}
		}
		clear(items) // let the messages go
		clear(group)
	}
}

// direct renders and sends every record with Mailer.Send (over SMTP, or
// into the local outbox), skipping the records an earlier report says were
// sent.
func (b *sendBatchRun) direct(ctx context.Context) error {
	ledger := map[string]batch.Entry{}
	if b.o.BatchFlags.Report != "" {
		var err error
		if ledger, err = batch.ReadLedger(b.o.BatchFlags.Report); err != nil {
			return err
		}
	}
	t := b.t
	return b.workers(ctx, len(b.mailers), func(w int, rec *batch.Record) {
		key := batch.Key(rec.Line, rec.Resource)
		if prev, ok := ledger[key]; ok {
			prev.Previously = true
			t.add(prev, key)
			return
		}
		b.tokens[w] = b.token(rec)
		rc, err := b.mailers[w].Send(ctx, b.message(rec))
		ent := batch.Entry{Line: rec.Line, To: strings.Join(rec.To, ", "), Resource: rec.Resource}
		switch {
		case errors.Is(err, mailer.ErrInvalidMessage):
			ent.Status, ent.Error = batch.StatusInvalid, err.Error()
		case errors.Is(err, mailer.ErrUnknownOutcome):
			ent.Status, ent.Error = batch.StatusUnknown, err.Error()
		case err != nil:
			ent.Status, ent.Error = batch.StatusFailed, err.Error()
		default:
			ent.Status, ent.Resource, ent.MessageID = batch.StatusSent, rc.Resource, rc.MessageID
		}
		t.add(ent, key)
	})
}

// sendBatchEntry is the report line of a spooled message.
func sendBatchEntry(se *outbox.Entry, state outbox.State, err error) batch.Entry {
	ent := batch.Entry{To: strings.Join(se.To, ", "), Resource: se.Resource, MessageID: se.MessageID}
	if len(se.Delivered) > 0 {
		ent.To = strings.Join(append(append([]string(nil), se.Delivered...), se.To...), ", ")
	}
	if n, ok := sendBatchKeyLine(se.Key); ok {
		ent.Line = n
	}
	switch state {
	case outbox.StateSent:
		ent.Status = batch.StatusSent
	case outbox.StateFailed:
		ent.Status = batch.StatusFailed
	case outbox.StateUnknown:
		ent.Status = batch.StatusUnknown
	default:
		ent.Status = batch.StatusQueued
		ent.Error = se.LastError
	}
	if err != nil {
		ent.Error = err.Error()
	}
	return ent
}

// sendBatchKeyLine reads the line number out of a batch.Key.
func sendBatchKeyLine(key string) (int, bool) {
	if !strings.HasPrefix(key, "L") || len(key) < 8 {
		return 0, false
	}
	n, err := strconv.Atoi(key[1:8])
	return n, err == nil
}

// sendBatchCountRecords counts the non-blank lines of r, for the progress bar.
func sendBatchCountRecords(r io.Reader) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	n, blank := 0, true
	for {
		b, err := br.ReadSlice('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			blank = false
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(b) > 0 && !blank {
			n++
		}
		blank = true
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
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
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelError}))
}
