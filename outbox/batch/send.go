package batch

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/outbox"
)

// Options configures a batch. Mailer and Template are required.
type Options struct {
	// Mailer renders the messages (From, Templates, Keys, Render…). Its
	// NewToken is replaced: each record's Message-ID is derived from the
	// batch file and the record, so that a record sent again after a
	// crash keeps its Message-ID. Its Outbox is not used. Without an
	// Outbox below, its transport sends.
	Mailer mailer.Config
	// Template names the template in Mailer.Templates.
	Template string
	// Locale is the variant of records that have no "locale".
	Locale string

	// Outbox is where the messages go: each group of rendered records is
	// enqueued together (EnqueueBatch, one commit), each with the key
	// Name + "-" + Key(line, resource), so that a batch run again
	// enqueues nothing twice. nil sends directly, Concurrency at once,
	// the report being the only ledger.
	Outbox outbox.Store
	// Name is the batch's name in the outbox keys; "" means the batch
	// file's base name without extension. Two different batches sharing
	// one outbox need different names.
	Name string
	// Wait, for a store this process can deliver from (the folder store),
	// is how long to deliver here: until every message was tried and
	// only retries later than the start plus Wait are left, or until Wait
	// has passed, whichever comes first; then sends in flight are cut
	// short and what is left stays queued for a later run. Zero only
	// enqueues (workers deliver, "mailtrail worker"). A store that
	// delivers elsewhere (PostgreSQL) always only enqueues.
	Wait time.Duration
	// Concurrency is how many messages are sent at once without an
	// Outbox; zero means 1.
	Concurrency int
	// Report, when set, is the file that receives one Entry a line
	// (written to a temporary file beside it, renamed at the end). Without
	// an Outbox, the report of an earlier run is the ledger: the records it
	// says were sent are skipped.
	Report string

	// OnStart, when set, is called with the number of records before
	// the first one is read (for a progress bar).
	OnStart func(records int)
	// OnRecord, when set, is called once per record with what became of
	// it, from several goroutines at once: it must be safe for
	// concurrent use and quick.
	OnRecord func(Entry)
}

// renderers is how many records are rendered at once when enqueueing:
// enqueueing waits for the disk, and rendering goes on meanwhile.
const renderers = 8

// group is the most messages enqueued together.
const group = 256

// ErrNoTemplate is returned by Send when Options.Template is empty.
var ErrNoTemplate = errors.New("batch: no template")

// Send sends one message per record of the batch file at path, as
// Options says, and returns what became of the records. A record that
// is invalid, refused or undelivered does not stop the others; it is
// counted in the Summary and written to the report. The error is for
// what stops the batch itself: an unreadable file, a Mailer that cannot
// be made, ctx ended, a report that cannot be written. When the outbox
// cannot store a group (a full disk), the records not stored are counted
// as queued (a later run enqueues them) and Summary.StoreErr says why.
func Send(ctx context.Context, path string, opts *Options) (*Summary, error) {
	o := *opts // don't modify the caller's view
	if o.Template == "" {
		return nil, ErrNoTemplate
	}
	if o.Name == "" {
		o.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	o.Name = keySafe(o.Name)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("batch: %w", err)
	}
	defer f.Close()
	sum, total, err := fingerprint(f)
	if err != nil {
		return nil, fmt.Errorf("batch %s: %w", path, err)
	}
	if o.OnStart != nil {
		o.OnStart(total)
	}

	r := &run{o: &o, path: path, sum: sum, t: newTally(o.OnRecord)}
	if err := r.newMailers(); err != nil {
		return nil, err
	}
	defer r.closeMailers()
	if o.Report != "" {
		if r.t.report, err = CreateReport(o.Report); err != nil {
			return nil, err
		}
		defer func() {
			if r.t.report != nil {
				r.t.report.Stop()
			}
		}()
	}
	r.recs = NewReader(bufio.NewReader(f))
	if o.Outbox == nil {
		err = r.direct(ctx)
	} else {
		err = r.viaOutbox(ctx)
	}
	if err != nil {
		return nil, err
	}
	if r.t.report != nil {
		if err := r.t.report.Close(); err != nil {
			return nil, err
		}
		r.t.report = nil
	}
	return r.t.summary(), nil
}

// fingerprint returns the SHA-256 of the batch file f and the number of
// its records, and rewinds f.
func fingerprint(f *os.File) (sum []byte, records int, err error) {
	h := sha256.New()
	records, err = countRecords(io.TeeReader(f, h))
	if err != nil {
		return nil, 0, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, err
	}
	return h.Sum(nil), records, nil
}

// newMailers makes the Mailer of each worker: renderers with an outbox,
// Concurrency senders without one. Each derives its Message-IDs from the
// record it has in hand (run.tokens).
func (r *run) newMailers() error {
	workers := max(r.o.Concurrency, 1)
	if r.o.Outbox != nil {
		workers = renderers
	}
	r.tokens = make([]string, workers)
	for w := range workers {
		cfg := r.o.Mailer
		// With an outbox the mailers only render (the records are
		// enqueued in groups below); without one they send.
		cfg.Outbox = r.o.Outbox
		if cfg.Transport.SMTP != nil {
			c := *cfg.Transport.SMTP // one connection per worker
			c.MaxConns = 1
			cfg.Transport.SMTP = &c
		}
		cfg.Identity.NewToken = func() string { return r.tokens[w] }
		m, err := mailer.New(cfg)
		if err != nil {
			r.closeMailers()
			return err
		}
		r.mailers = append(r.mailers, m)
	}
	return nil
}

// closeMailers closes the workers' Mailers, the last made first.
func (r *run) closeMailers() {
	for i := len(r.mailers) - 1; i >= 0; i-- {
		r.mailers[i].Close()
	}
}

// run is one run of a batch.
type run struct {
	o       *Options
	path    string
	sum     []byte           // SHA-256 of the batch file
	mailers []*mailer.Mailer // one per worker
	tokens  []string         // the Message-ID token of each worker's next message
	t       *tally
	recs    *Reader
}

// token is the Message-ID token of a record: the same for the same record
// of the same batch file, different for any other.
func (r *run) token(rec *Record) string {
	h := sha256.New()
	h.Write(r.sum)
	fmt.Fprintf(h, "\x00%d\x00%s\x00%s", rec.Line, rec.Resource, strings.Join(rec.To, ","))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil)[:15]))
}

// message turns a record into a Message.
func (r *run) message(rec *Record) *mailer.Message { return rec.Message(r.o.Template, r.o.Locale) }

// key is a record's key in the outbox.
func (r *run) key(rec *Record) string { return r.o.Name + "-" + Key(rec.Line, rec.Resource) }

// recipients lists a record's addresses for the report.
func recipients(rec *Record) string {
	return strings.Join(append(append(append([]string(nil), rec.To...), rec.Cc...), rec.Bcc...), ", ")
}

// workers runs fn on every valid record with n goroutines; invalid records
// are tallied here. It returns the first read error, or ctx's.
func (r *run) workers(ctx context.Context, n int, fn func(w int, rec *Record)) error {
	jobs := make(chan *Record, n)
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
		var rec *Record
		if rec, err = r.recs.Next(); err != nil {
			break
		}
		if rec.Err != nil {
			r.t.add(Entry{Line: rec.Line, To: recipients(rec), Resource: rec.Resource,
				Status: StatusInvalid, Error: rec.Err.Error()}, "")
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
		return fmt.Errorf("batch %s: %w", r.path, err)
	}
	return nil
}

// direct renders and sends every record with Mailer.Send, skipping the
// records an earlier report says were sent.
func (r *run) direct(ctx context.Context) error {
	ledger := map[string]Entry{}
	if r.o.Report != "" {
		var err error
		if ledger, err = ReadLedger(r.o.Report); err != nil {
			return err
		}
	}
	return r.workers(ctx, len(r.mailers), func(w int, rec *Record) {
		key := Key(rec.Line, rec.Resource)
		if prev, ok := ledger[key]; ok {
			prev.Previously = true
			r.t.add(prev, key)
			return
		}
		r.tokens[w] = r.token(rec)
		rc, err := r.mailers[w].Send(ctx, r.message(rec))
		ent := Entry{Line: rec.Line, To: recipients(rec), Resource: rec.Resource}
		switch {
		case errors.Is(err, mailer.ErrInvalidMessage):
			ent.Status, ent.Error = StatusInvalid, err.Error()
		case errors.Is(err, mailer.ErrUnknownOutcome):
			ent.Status, ent.Error = StatusUnknown, err.Error()
		case err != nil:
			ent.Status, ent.Error = StatusFailed, err.Error()
		default:
			ent.Status, ent.Resource, ent.MessageID = StatusSent, rc.Resource, rc.MessageID
		}
		r.t.add(ent, key)
	})
}

// keySafe turns a batch name into key characters ([A-Za-z0-9_-]), at most
// 80 of them.
func keySafe(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	if len(b) > 80 {
		b = b[:80]
	}
	if len(b) == 0 {
		return "batch"
	}
	return string(b)
}

// countRecords counts the non-blank lines of r.
func countRecords(r io.Reader) (int, error) {
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
