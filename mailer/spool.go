package mailer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Spool is a durable outbox: a directory of rendered messages waiting to be
// delivered, and of what became of them.
//
// # The delivery promise
//
// Once [Spool.Enqueue] has returned nil (or [Spool.EnqueueBatch] has set an
// item's Err to nil), the message is on disk (its files synced, then renamed
// into queue/, then that folder fsynced) and will be handed to the SMTP server at least once,
// across crashes, restarts and relay outages, until the server accepts it
// with 250, refuses it permanently, or MaxAge passes. It is never sent zero
// times, and it may be sent more than once: a crash (or a power loss) between
// the server's 250 and the move of the message to sent/ sends it again when
// the spool restarts. The copy sent again has the same bytes, hence the same
// Message-ID, so a receiver can spot it and drop it. A message whose final
// "." went out but whose reply never came (ErrUnknownOutcome) is not sent
// again unless SpoolOptions.RetryUnknown says so: it waits in unknown/ for
// a person to decide.
//
// # Layout
//
// Every message is two files named by its id: ID.eml, the exact bytes sent,
// readable with any mail tool or "mailtrail inspect", and ID.json, its
// envelope and delivery state ([SpoolEntry]). The directory holds
//
//	tmp/      files being written; emptied when the spool is opened
//	queue/    waiting for a first attempt or a retry
//	sent/     accepted by the server (or deleted, with DeleteSent)
//	failed/   refused permanently, or given up after MaxAge; ID.error.json
//	          beside them holds the server's answer ([SpoolFailure])
//	unknown/  the outcome of the last attempt is unknown; ID.error.json too
//	lock      held by the process running deliveries
//
// A failure that concerns the server rather than the message (a refused
// dial, a 421 or 554 greeting, a TLS or STARTTLS failure, refused
// credentials) leaves the message queued and pauses the whole queue for a
// growing backoff: every message would meet it, and none is at fault. A
// permanent one is logged as an error, since it needs a person (messages
// wait for the fix, up to MaxAge).
//
// The .json file is the one that says where a message stands: a message is
// in the state of the folder holding its .json. Moving a file by hand from
// unknown/ or failed/ back to queue/ (both files, .json last) queues it again.
//
// A Spool is safe for concurrent use. Several processes may enqueue into one
// directory; one at a time runs deliveries (Run takes the lock file).
type Spool struct {
	dir  string
	opts SpoolOptions
	log  *slog.Logger

	syncers     map[SpoolState]*dirSyncer
	sched       *scheduler
	committer   committer
	groupSync   bool         // groups are made durable with one syncfs
	serverFails atomic.Int64 // consecutive server-level failures
	mu          sync.Mutex   // guards tmpSeq
	tmpSeq      uint64
}

// SpoolOptions configures a Spool. A nil *SpoolOptions uses the defaults; so
// does the zero value of each field.
type SpoolOptions struct {
	// SMTP is the server the spool delivers to: Run opens up to
	// Concurrency connections to it and reuses them. Either SMTP or
	// Deliver is needed to Run; Enqueue needs neither.
	SMTP *SMTPConfig
	// Deliver, when set, delivers instead of SMTP: it must send data to
	// the recipients and return nil only once they accepted it, a
	// *SendError (or an error matching ErrTransient, ErrPermanent or
	// ErrUnknownOutcome) otherwise. It is called from Concurrency
	// goroutines at once. Errors of any other kind count as transient.
	Deliver func(ctx context.Context, from string, to []string, data []byte) error

	// Concurrency is how many messages are delivered at once, each over
	// its own connection; zero means 2, so that one stalled message does
	// not hold up the rest.
	Concurrency int
	// MaxAge is how long a message may keep failing temporarily before
	// it is given up and moved to failed/; zero means 5 days (RFC 5321
	// §4.5.4.1: "the give-up time generally needs to be at least 4-5
	// days").
	MaxAge time.Duration
	// MinBackoff is the wait before the first retry; each further retry
	// waits twice as long, up to MaxBackoff, less a random jitter of up to
	// half. Zero means 1 minute.
	MinBackoff time.Duration
	// MaxBackoff caps the wait between two attempts; zero means 1 hour.
	MaxBackoff time.Duration
	// DeleteSent deletes accepted messages instead of moving them to
	// sent/. The zero value keeps them, which is what lets a batch that
	// is run again skip what already went out.
	DeleteSent bool
	// RetryUnknown retries a message whose outcome is unknown like a
	// temporary failure, with the same bytes and so the same Message-ID.
	// The zero value moves it to unknown/ and does not send it again.
	RetryUnknown bool
	// Poll is how often Run looks for messages enqueued by other
	// processes; zero means 5 seconds. Messages enqueued through this
	// Spool are seen at once.
	Poll time.Duration
	// Logger receives one line per delivery problem; nil means
	// slog.Default().
	Logger *slog.Logger
	// OnResult, when set, is called after every attempt with its result,
	// from the delivering goroutines: it must be safe for concurrent use
	// and quick.
	OnResult func(SpoolResult)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// SpoolState says where a message stands: the folder holding it.
type SpoolState int

// The states of a spooled message.
const (
	StateQueued  SpoolState = iota // queue/: waiting for an attempt
	StateSent                      // sent/: accepted with 250
	StateFailed                    // failed/: refused for good, or too old
	StateUnknown                   // unknown/: the last attempt's outcome is unknown
)

var spoolStates = []SpoolState{StateQueued, StateSent, StateFailed, StateUnknown}

// String returns the folder name of the state: "queue", "sent", "failed" or
// "unknown".
func (s SpoolState) String() string {
	switch s {
	case StateQueued:
		return "queue"
	case StateSent:
		return "sent"
	case StateFailed:
		return "failed"
	case StateUnknown:
		return "unknown"
	}
	return fmt.Sprintf("SpoolState(%d)", int(s))
}

// Errors of the spool that callers branch on.
var (
	// ErrSpoolDuplicate is returned by EnqueueKey when a message with the
	// same key is already in the spool, in any state.
	ErrSpoolDuplicate = errors.New("mailer: spool: key already enqueued")
	// ErrSpoolNotFound means no message with that id or key is in the spool.
	ErrSpoolNotFound = errors.New("mailer: spool: no such message")
	// ErrSpoolLocked means another process is running deliveries from the
	// same spool directory.
	ErrSpoolLocked = errors.New("mailer: spool: another process is delivering from this spool")
	// ErrSpoolNoTransport means Run was called with neither
	// SpoolOptions.SMTP nor SpoolOptions.Deliver.
	ErrSpoolNoTransport = errors.New("mailer: spool: no SMTP server or Deliver function to deliver with")
)

// Defaults for the zero fields of SpoolOptions.
const (
	DefaultSpoolConcurrency = 2
	DefaultSpoolMaxAge      = 5 * 24 * time.Hour
	DefaultSpoolMinBackoff  = time.Minute
	DefaultSpoolMaxBackoff  = time.Hour
	DefaultSpoolPoll        = 5 * time.Second
)

// OpenSpool opens the spool in dir, creating its folders when missing, and
// recovers from an interrupted run: it empties tmp/, deletes the half-written
// messages a crash left in queue/ (their Enqueue never returned nil), and
// completes moves between folders that a crash cut in half.
func OpenSpool(dir string, opts *SpoolOptions) (*Spool, error) {
	s := &Spool{dir: dir, sched: newScheduler()}
	if opts != nil {
		s.opts = *opts
	}
	o := &s.opts
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultSpoolConcurrency
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultSpoolMaxAge
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = DefaultSpoolMinBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultSpoolMaxBackoff
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.Poll <= 0 {
		o.Poll = DefaultSpoolPoll
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s.groupSync = haveSyncfs && syncfsReportsErrors()
	s.log = o.Logger
	if s.log == nil {
		s.log = slog.Default()
	}
	if err := s.open(); err != nil {
		return nil, fmt.Errorf("mailer: open spool %s: %w", dir, err)
	}
	return s, nil
}

// Dir returns the spool's directory.
func (s *Spool) Dir() string { return s.dir }

// Path returns the path of a message's file in a state's folder; ext is
// ".eml", ".json" or ".error.json".
func (s *Spool) Path(state SpoolState, id, ext string) string {
	return filepath.Join(s.dir, state.String(), id+ext)
}

// Enqueue writes env to the spool's queue and returns the message's id once
// it is on disk: the message and its envelope are written to temporary
// files, synced, renamed into queue/, and the folder is fsynced. From then
// on the message will be delivered (see [Spool]). Concurrent calls are
// made durable together (group commit: a group of 4 or more with one
// syncfs on Linux, each file fsynced otherwise); EnqueueBatch does the
// same for a caller that has many messages at hand.
func (s *Spool) Enqueue(ctx context.Context, env *Envelope) (string, error) {
	return s.enqueue(ctx, newSpoolID(s.opts.Now()), "", env)
}

// EnqueueKey is Enqueue with an idempotency key, such as a batch file's
// name and line number: the key becomes the message's id, and when a
// message with that key is already in the spool, in any state, nothing is
// written and EnqueueKey returns the key and ErrSpoolDuplicate. A key is 1
// to 200 characters of [A-Za-z0-9_-]. Two callers must not enqueue the same
// key at the same time.
func (s *Spool) EnqueueKey(ctx context.Context, key string, env *Envelope) (string, error) {
	if err := checkSpoolKey(key); err != nil {
		return "", err
	}
	if _, ok, err := s.exists(key); err != nil {
		return "", err
	} else if ok {
		return key, ErrSpoolDuplicate
	}
	return s.enqueue(ctx, key, key, env)
}

func (s *Spool) enqueue(ctx context.Context, id, key string, env *Envelope) (string, error) {
	r, next, err := s.prepare(ctx, id, key, env)
	if err != nil {
		return "", err
	}
	s.commit([]*enqueueReq{r})
	if r.err != nil {
		return "", r.err
	}
	s.sched.addIfRunning(id, next)
	return id, nil
}

// SpoolBatchItem is one message of an EnqueueBatch: what to enqueue, and
// what became of it.
type SpoolBatchItem struct {
	// Key, when not empty, is the idempotency key, as in EnqueueKey: it
	// becomes the message's id, and a message already in the spool with
	// that key makes Err ErrSpoolDuplicate.
	Key string
	// Env is the message.
	Env *Envelope

	// ID is the message's id, set by EnqueueBatch (the key when one was
	// given, also for a duplicate).
	ID string
	// Err is set by EnqueueBatch: nil once the message is on disk and
	// will be delivered, as after Enqueue returned nil.
	Err error
}

// EnqueueBatch enqueues every item's message with the promise of Enqueue,
// made durable together: all files are written to tmp/, synced at once
// (with one syncfs(2) of the spool's file system on Linux, one fsync per
// file elsewhere), renamed into queue/, and the folder is fsynced once.
// It sets each item's ID and Err: an item whose Err is nil is on disk and
// will be delivered, one with an error was not enqueued (ErrSpoolDuplicate
// for a key already in the spool). It returns the errors of the items that
// failed other than by ErrSpoolDuplicate, joined, or nil. Keys in one
// batch must differ.
func (s *Spool) EnqueueBatch(ctx context.Context, items []SpoolBatchItem) error {
	// The files are written by a few goroutines at once: creating a file
	// is most of the cost, and it is CPU work in the kernel.
	reqs := make([]*enqueueReq, len(items))
	nexts := make([]time.Time, len(items))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(items)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(items) {
					return
				}
				reqs[i], nexts[i] = s.prepareItem(ctx, &items[i])
			}
		})
	}
	wg.Wait()
	var group []*enqueueReq
	for _, r := range reqs {
		if r != nil {
			group = append(group, r)
		}
	}
	if len(group) > 0 {
		s.commit(group)
	}
	for i, r := range reqs {
		if r == nil {
			continue
		}
		items[i].Err = r.err
		if r.err == nil {
			s.sched.addIfRunning(r.id, nexts[i])
		}
	}
	var errs []error
	for i := range items {
		if err := items[i].Err; err != nil && !errors.Is(err, ErrSpoolDuplicate) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// prepareItem sets it.ID, checks for a duplicate key and writes the files
// of it to tmp/; it returns nil, with it.Err set, when it is not to be
// committed.
func (s *Spool) prepareItem(ctx context.Context, it *SpoolBatchItem) (*enqueueReq, time.Time) {
	it.ID, it.Err = it.Key, nil
	if it.Key == "" {
		it.ID = newSpoolID(s.opts.Now())
	} else {
		if it.Err = checkSpoolKey(it.Key); it.Err != nil {
			return nil, time.Time{}
		}
		if _, ok, err := s.exists(it.Key); err != nil {
			it.Err = err
			return nil, time.Time{}
		} else if ok {
			it.Err = ErrSpoolDuplicate
			return nil, time.Time{}
		}
	}
	r, next, err := s.prepare(ctx, it.ID, it.Key, it.Env)
	if err != nil {
		it.Err = err
		return nil, time.Time{}
	}
	return r, next
}

// prepare checks env and writes its two files to tmp/, left open for
// commit, and returns when the message falls due.
func (s *Spool) prepare(ctx context.Context, id, key string, env *Envelope) (*enqueueReq, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, err
	}
	if env == nil || len(env.Data) == 0 {
		return nil, time.Time{}, errors.New("mailer: spool: empty message")
	}
	if env.From == "" || len(env.To) == 0 {
		return nil, time.Time{}, errors.New("mailer: spool: envelope needs a sender and a recipient")
	}
	for _, a := range append([]string{env.From}, env.To...) {
		if strings.ContainsAny(a, "\r\n\x00<>") {
			return nil, time.Time{}, fmt.Errorf("mailer: spool: bad envelope address %q", a)
		}
	}
	now := s.opts.Now().UTC()
	e := &SpoolEntry{
		ID:        id,
		Key:       key,
		From:      env.From,
		To:        append([]string(nil), env.To...),
		MessageID: env.MessageID,
		Resource:  env.Resource,
		Size:      len(env.Data),
		Enqueued:  now,
		Next:      now,
		State:     StateQueued,
	}
	js, err := e.marshal()
	if err != nil {
		return nil, time.Time{}, err
	}
	eml, err := s.createTemp(id+".eml", env.Data)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("mailer: spool: write %s: %w", id, err)
	}
	jf, err := s.createTemp(id+".json", js)
	if err != nil {
		eml.Close()
		os.Remove(eml.Name())
		return nil, time.Time{}, fmt.Errorf("mailer: spool: write %s: %w", id, err)
	}
	return &enqueueReq{id: id, eml: eml, json: jf}, e.Next, nil
}

// newSpoolID returns a fresh id that sorts by enqueue time:
// "20261121T050102.123456789Z-1a2b3c4d".
func newSpoolID(now time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	return now.UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(b[:])
}

// checkSpoolKey accepts file-name-safe keys. A dot is refused so that no key
// can collide with another message's ID.error.json.
func checkSpoolKey(key string) error {
	ok := key != "" && len(key) <= 200
	for i := 0; ok && i < len(key); i++ {
		c := key[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
	}
	if !ok {
		return fmt.Errorf("mailer: spool: bad key %q: want 1 to 200 of [A-Za-z0-9_-]", key)
	}
	return nil
}
