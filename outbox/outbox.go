package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
)

// Store is what every outbox store offers: the folder store ([Folder]) and
// the PostgreSQL store. It is a [mailer.Outbox], so a Mailer can enqueue
// into it, plus group enqueue for the batch engine, delivery, and what the
// "mailtrail outbox" commands need to look after it.
//
// Every store keeps the promise of the package: once Enqueue returned nil
// (or EnqueueBatch set an item's Err to nil), the message is stored
// durably and will be handed to the server at least once, with the same
// bytes, under the one set of [Rules].
type Store interface {
	// Enqueue stores env and returns its id (see mailer.Outbox).
	Enqueue(ctx context.Context, env *mailer.Envelope) (id string, err error)
	// EnqueueBatch stores every item's message together (one commit),
	// and sets each item's ID and Err: Err is nil once the item is
	// stored, ErrDuplicate when an item's Key was enqueued before. It
	// returns the items' other errors, joined.
	EnqueueBatch(ctx context.Context, items []Item) error

	// Run delivers queued messages until ctx is done or Shutdown is
	// called; it returns nil then.
	Run(ctx context.Context) error
	// Shutdown stops Run: no new attempt starts, and the sends in flight
	// may finish until ctx is done, when they are cut short. It returns
	// once Run has returned (at once when Run is not running).
	Shutdown(ctx context.Context) error

	// Counts says how many messages each state holds.
	Counts(ctx context.Context) (Counts, error)
	// List returns the messages in one state, oldest first, with their
	// Failure for StateFailed and StateUnknown.
	List(ctx context.Context, state State) ([]*Entry, error)
	// Retry queues again the failed or unknown messages with those ids
	// (or keys), for an attempt now, and returns how many it queued. An id
	// that names no failed or unknown message is an error wrapping
	// ErrNotFound; the others are still queued.
	Retry(ctx context.Context, ids []string) (int, error)
	// RetryState queues again every message in state (StateFailed or
	// StateUnknown) and returns how many.
	RetryState(ctx context.Context, state State) (int, error)

	// Close releases the store, after stopping Run as Shutdown does with
	// no deadline.
	Close() error
}

// The folder store is a Store and a mailer.Outbox.
var (
	_ Store         = (*Folder)(nil)
	_ mailer.Outbox = (*Folder)(nil)
)

// Item is one message of an EnqueueBatch: what to enqueue, and what became
// of it.
type Item struct {
	// Key, when not empty, is the idempotency key: 1 to 200 characters
	// of [A-Za-z0-9_-], such as a batch file's record key. It becomes the
	// message's id, and a message already stored with that key, in any
	// state, makes Err ErrDuplicate and adds nothing.
	Key string
	// Env is the message.
	Env *mailer.Envelope

	// ID is the message's id, set by EnqueueBatch (the key when one was
	// given, also for a duplicate).
	ID string
	// Err is set by EnqueueBatch: nil once the message is stored and will
	// be delivered.
	Err error
}

// Counts is how many messages each state holds; its JSON form is the
// output of "mailtrail outbox status --json".
type Counts struct {
	Queued  int `json:"queued"`
	Sent    int `json:"sent"`
	Failed  int `json:"failed"`
	Unknown int `json:"unknown"`
}

// State says where a message stands.
type State int

// The states of a message.
const (
	StateQueued  State = iota // waiting for an attempt, or for a retry
	StateSent                 // accepted by the server with 250
	StateFailed               // refused for good, or given up after MaxAge
	StateUnknown              // the outcome of the last attempt is unknown
)

var states = []State{StateQueued, StateSent, StateFailed, StateUnknown}

// String returns "queued", "sent", "failed" or "unknown".
func (s State) String() string {
	switch s {
	case StateQueued:
		return "queued"
	case StateSent:
		return "sent"
	case StateFailed:
		return "failed"
	case StateUnknown:
		return "unknown"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// ParseState reads a State's String form; "queue" is taken for "queued".
func ParseState(s string) (State, error) {
	for _, st := range states {
		if s == st.String() {
			return st, nil
		}
	}
	if s == "queue" {
		return StateQueued, nil
	}
	return 0, fmt.Errorf("outbox: unknown state %q: want queued, sent, failed or unknown", s)
}

// Errors of the outbox that callers branch on.
var (
	// ErrDuplicate marks an item whose key is already in the store, in
	// any state: nothing was added.
	ErrDuplicate = errors.New("outbox: key already enqueued")
	// ErrNotFound means no message with that id or key is in the store
	// (in the state asked for).
	ErrNotFound = errors.New("outbox: no such message")
	// ErrLocked means another process is running deliveries from the
	// same folder.
	ErrLocked = errors.New("outbox: another process is delivering from this folder")
	// ErrNoTransport means Run was called on a store configured with no
	// Transport to deliver with.
	ErrNoTransport = errors.New("outbox: no transport to deliver with")
	// ErrNotRunning is returned by WaitIdle when Run has stopped.
	ErrNotRunning = errors.New("outbox: not running")
)

// Entry is the envelope and delivery state of one message. The folder
// store keeps it as the message's ID.json file.
type Entry struct {
	ID        string    `json:"id"`
	Key       string    `json:"key,omitempty"`       // the idempotency key, "" when none
	From      string    `json:"from"`                // MAIL FROM
	To        []string  `json:"to"`                  // RCPT TO: the recipients still to deliver to
	Delivered []string  `json:"delivered,omitempty"` // recipients that took it in a partial delivery
	MessageID string    `json:"message_id,omitempty"`
	Resource  string    `json:"resource,omitempty"`
	Size      int       `json:"size"`                       // octets of the message
	Enqueued  time.Time `json:"enqueued"`                   // when it was enqueued
	Retried   time.Time `json:"retried,omitzero"`           // when a person last queued it again (Retry)
	Attempts  int       `json:"attempts"`                   // delivery attempts so far (server outages not counted)
	Unknown   int       `json:"unknown_outcomes,omitempty"` // attempts whose outcome was unknown
	Next      time.Time `json:"next_attempt,omitzero"`      // not before then, while queued
	Done      time.Time `json:"done,omitzero"`              // when it left the queue
	LastError string    `json:"last_error,omitempty"`       // the last attempt's error

	// State is where the entry was found; it is not stored.
	State State `json:"-"`
	// Failure is the server's answer, for a failed or unknown message
	// returned by List; it is not stored in the entry.
	Failure *Failure `json:"failure,omitempty"`
}

// Failure is the server's answer to a message that left the queue without
// being sent. The folder store keeps it as ID.error.json beside the
// message in failed/ or unknown/.
type Failure struct {
	Time     time.Time  `json:"time"`
	Attempts int        `json:"attempts"`
	Class    string     `json:"class"`          // "permanent", "unknown" or "expired"
	Op       string     `json:"op,omitempty"`   // the SMTP step, as in mailer.SendError.Op
	Code     int        `json:"code,omitempty"` // the SMTP reply code
	Enhanced string     `json:"enhanced,omitempty"`
	Reply    string     `json:"reply,omitempty"` // the server's text
	Rejected []Rejected `json:"rejected,omitempty"`
	Accepted []string   `json:"accepted,omitempty"`
	Error    string     `json:"error"` // the whole error, one line
}

// Rejected is one recipient's refusal in a Failure.
type Rejected struct {
	Rcpt     string `json:"rcpt"`
	Code     int    `json:"code"`
	Enhanced string `json:"enhanced,omitempty"`
	Reply    string `json:"reply,omitempty"`
}

// Result is what one delivery attempt did, given to an OnResult callback.
// State is StateSent, StateFailed or StateUnknown when the message left
// the queue, and StateQueued when it waits for a retry at Entry.Next.
type Result struct {
	Entry Entry
	State State
	Err   error // nil when sent
}
