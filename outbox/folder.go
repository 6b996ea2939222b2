package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/mailtrail/mailtrail/mailer"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Folder is a durable outbox: a directory of rendered messages waiting to be
// delivered, and of what became of them.
//
// # The delivery promise
//
// Once [Folder.Enqueue] has returned nil (or [Folder.EnqueueBatch] has set an
// item's Err to nil), the message is on disk (its segment file synced, then
// renamed into queue/, then that folder fsynced) and will be handed to the
// SMTP server at least once,
// across crashes, restarts and relay outages, until the server accepts it
// with 250, refuses it permanently, or MaxAge passes. It is never sent zero
// times, and it may be sent more than once: a crash (or a power loss) between
// the server's 250 and the record of it sends it again when the folder
// restarts. The copy sent again has the same bytes, hence the same
// Message-ID, so a receiver can spot it and drop it. A message whose final
// "." went out but whose reply never came (mailer.ErrUnknownOutcome) is not sent
// again unless FolderOptions.RetryUnknown says so: it waits in unknown/ for
// a person to decide.
//
// # Layout
//
// Messages enqueued together (one Enqueue, concurrent Enqueues, one
// EnqueueBatch) are one segment file, ID.seg: a header, an index (each
// message's [Entry] as enqueued, JSON), the exact bytes of every message one
// after the other, and a log that deliveries append to, one JSON record a
// line: a retry (the entry with its next attempt), a message sent, or one
// moved out. A message refused for good, or whose outcome is unknown, is
// moved out of its segment to its own files named by its id: ID.eml, the
// exact bytes sent, readable with any mail tool or "mailtrail inspect",
// ID.json, its envelope and delivery state, and ID.error.json, the
// server's answer ([Failure]). When no message of a segment is left
// queued, the segment moves to sent/ (or is deleted, with DeleteSent).
// The directory holds
//
//	tmp/      files being written; emptied when the folder is opened
//	queue/    segments with messages waiting for a first attempt or a
//	          retry; messages queued again by Retry, as their own files
//	sent/     segments whose messages were all sent (or moved out)
//	failed/   refused permanently, or given up after MaxAge: ID.eml,
//	          ID.json and ID.error.json
//	unknown/  the outcome of the last attempt is unknown: the same files
//	lock      held by the process running deliveries
//
// Folders written before segments hold every message as its own ID.eml and
// ID.json, in every folder; they are read, delivered and listed as they are.
//
// A failure that concerns the server rather than the message (a refused
// dial, a 421 or 554 greeting, a TLS or STARTTLS failure, refused
// credentials) leaves the message queued and pauses the whole queue for a
// growing backoff: every message would meet it, and none is at fault. A
// permanent one is logged as an error, since it needs a person (messages
// wait for the fix, up to MaxAge).
//
// For a message with its own files, the .json file is the one that says
// where it stands: a message is in the state of the folder holding its
// .json. Moving a message by hand from unknown/ or failed/ back to queue/
// (both files, .json last) queues it again.
//
// A Folder is safe for concurrent use. Several processes may enqueue into one
// directory; one at a time runs deliveries (Run takes the lock file).
type Folder struct {
	dir  string
	opts FolderOptions
	log  *slog.Logger

	syncers     map[State]*dirSyncer
	sched       *scheduler
	committer   committer
	segIDs      segIDCache   // the ids of the segments read
	live        segRun       // the segments Run delivers from
	serverFails atomic.Int64 // consecutive server-level failures
	mu          sync.Mutex   // guards tmpSeq
	tmpSeq      uint64
	runMu       sync.Mutex // guards active
	active      *runState  // the Run going on, or nil
	watchMu     sync.Mutex // guards watchers
	watchers    []*watcher // replaced, never changed in place
}

// FolderOptions configures a Folder. A nil *FolderOptions uses the
// defaults; so does the zero value of each field.
type FolderOptions struct {
	// Transport is what Run delivers with: an SMTP transport
	// (mailer.NewSMTPTransport, whose MaxConns should be at least
	// Concurrency), or a folder of .eml files (mailer.NewFileTransport).
	// Enqueue needs none; Run without one returns ErrNoTransport. The
	// Folder does not close it.
	Transport mailer.Transport
	// Concurrency is how many messages are delivered at once; zero means
	// 2, so that one stalled message does not hold up the rest.
	Concurrency int
	// Rules are the delivery rules: backoff, MaxAge, RetryUnknown.
	Rules
	// DeleteSent deletes accepted messages instead of moving them to
	// sent/. The zero value keeps them, which is what lets a batch that
	// is run again skip what already went out.
	DeleteSent bool
	// Poll is how often Run looks for messages enqueued by other
	// processes; zero means 5 seconds. Messages enqueued through this
	// Folder are seen at once.
	Poll time.Duration
	// Logger receives one line per delivery problem; nil means
	// slog.Default().
	Logger *slog.Logger
	// OnResult, when set, is called after every attempt with its result,
	// from the delivering goroutines: it must be safe for concurrent use
	// and quick.
	OnResult func(Result)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// dirOf returns the folder of a state: "queue", "sent", "failed" or
// "unknown".
func dirOf(s State) string {
	if s == StateQueued {
		return "queue"
	}
	return s.String()
}

// OpenFolder opens the folder in dir, creating its folders when missing, and
// recovers from an interrupted run: it empties tmp/, deletes the half-written
// messages a crash left in queue/ (their Enqueue never returned nil), and
// completes moves between folders that a crash cut in half.
func OpenFolder(dir string, opts *FolderOptions) (*Folder, error) {
	s := &Folder{dir: dir, sched: newScheduler()}
	if opts != nil {
		s.opts = *opts
	}
	o := &s.opts
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	o.Rules = o.Rules.WithDefaults()
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s.log = o.Logger
	if s.log == nil {
		s.log = slog.Default()
	}
	if err := s.open(); err != nil {
		return nil, fmt.Errorf("outbox: open folder %s: %w", dir, err)
	}
	return s, nil
}

// Dir returns the folder's directory.
func (s *Folder) Dir() string { return s.dir }

// Path returns the path of a message's own file in a state's folder; ext
// is ".eml", ".json" or ".error.json". Messages in a segment have no file
// of their own: [Folder.Message] reads any message's bytes.
func (s *Folder) Path(state State, id, ext string) string {
	return filepath.Join(s.dir, dirOf(state), id+ext)
}

// Enqueue writes env to the folder's queue and returns the message's id once
// it is on disk: the message and its envelope are written to a temporary
// segment file, fsynced, renamed into queue/, and the folder is fsynced.
// From then on the message will be delivered (see [Folder]). Concurrent
// calls are made durable together, as one segment (group commit);
// EnqueueBatch does the same for a caller that has many messages at hand.
func (s *Folder) Enqueue(ctx context.Context, env *mailer.Envelope) (string, error) {
	return s.enqueue(ctx, newID(s.opts.Now()), "", env)
}

// EnqueueKey is Enqueue with an idempotency key, such as a batch file's
// name and line number: the key becomes the message's id, and when a
// message with that key is already in the folder, in any state, nothing is
// written and EnqueueKey returns the key and ErrDuplicate. A key is 1
// to 200 characters of [A-Za-z0-9_-]. Two callers must not enqueue the same
// key at the same time.
func (s *Folder) EnqueueKey(ctx context.Context, key string, env *mailer.Envelope) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	if ok, err := s.exists(key); err != nil {
		return "", err
	} else if ok {
		return key, ErrDuplicate
	}
	return s.enqueue(ctx, key, key, env)
}

func (s *Folder) enqueue(ctx context.Context, id, key string, env *mailer.Envelope) (string, error) {
	r, err := s.prepare(ctx, id, key, env)
	if err != nil {
		return "", err
	}
	s.commit([]*enqueueReq{r})
	if r.err != nil {
		return "", r.err
	}
	return id, nil
}

// EnqueueBatch enqueues every item's message with the promise of Enqueue,
// made durable together: they are written as one segment file to tmp/,
// fsynced, renamed into queue/, and the folder is fsynced once.
// It sets each item's ID and Err: an item whose Err is nil is on disk and
// will be delivered, one with an error was not enqueued (ErrDuplicate
// for a key already in the folder). It returns the errors of the items that
// failed other than by ErrDuplicate, joined, or nil. Keys in one
// batch must differ.
func (s *Folder) EnqueueBatch(ctx context.Context, items []Item) error {
	has, err := s.holding()
	if err != nil {
		return err
	}
	var group []*enqueueReq
	reqs := make([]*enqueueReq, len(items))
	for i := range items {
		if reqs[i] = s.prepareItem(ctx, &items[i], has); reqs[i] != nil {
			group = append(group, reqs[i])
		}
	}
	if len(group) > 0 {
		s.commit(group)
	}
	var errs []error
	for i := range items {
		if r := reqs[i]; r != nil {
			items[i].Err = r.err
		}
		if err := items[i].Err; err != nil && !errors.Is(err, ErrDuplicate) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// prepareItem sets it.ID, checks for a duplicate key and makes the entry
// of it; it returns nil, with it.Err set, when it is not to be committed.
func (s *Folder) prepareItem(ctx context.Context, it *Item, has func(id string) bool) *enqueueReq {
	it.ID, it.Err = it.Key, nil
	if it.Key == "" {
		it.ID = newID(s.opts.Now())
	} else {
		if it.Err = checkKey(it.Key); it.Err != nil {
			return nil
		}
		if has(it.Key) {
			it.Err = ErrDuplicate
			return nil
		}
	}
	r, err := s.prepare(ctx, it.ID, it.Key, it.Env)
	if err != nil {
		it.Err = err
		return nil
	}
	return r
}

// prepare checks env and makes its entry, for commit.
func (s *Folder) prepare(ctx context.Context, id, key string, env *mailer.Envelope) (*enqueueReq, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if env == nil || len(env.Data) == 0 {
		return nil, fmt.Errorf("%w: outbox: empty message", mailer.ErrInvalidMessage)
	}
	if env.From == "" || len(env.To) == 0 {
		return nil, fmt.Errorf("%w: outbox: envelope needs a sender and a recipient", mailer.ErrInvalidMessage)
	}
	for _, a := range append([]string{env.From}, env.To...) {
		if strings.ContainsAny(a, "\r\n\x00<>") {
			return nil, fmt.Errorf("%w: outbox: bad envelope address %q", mailer.ErrInvalidMessage, a)
		}
	}
	now := s.opts.Now().UTC()
	e := &Entry{
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
	return &enqueueReq{e: e, data: env.Data}, nil
}

// newID returns a fresh id that sorts by enqueue time:
// "20261121T050102.123456789Z-1a2b3c4d".
func newID(now time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	return now.UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(b[:])
}

// checkKey accepts file-name-safe keys. A dot is refused so that no key
// can collide with another message's ID.error.json.
func checkKey(key string) error {
	ok := key != "" && len(key) <= 200
	for i := 0; ok && i < len(key); i++ {
		c := key[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
	}
	if !ok {
		return fmt.Errorf("outbox: bad key %q: want 1 to 200 of [A-Za-z0-9_-]", key)
	}
	return nil
}
