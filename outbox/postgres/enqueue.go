package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/outbox"
)

// messageArgs is the River job of one message. It holds the key alone:
// the message's bytes, rendered once at enqueue so that every attempt
// sends the same bytes and Message-ID, are in the table mailtrail_message
// (see message.go), and its envelope is in the job's metadata. Job
// arguments are JSON: holding the bytes there would have PostgreSQL parse,
// index and print them as a JSON string, and River decode them, on every
// insert, fetch and update of the job.
type messageArgs struct {
	// Key is the idempotency key: River lets one job per key exist, in
	// any state, so enqueueing it again adds nothing.
	Key string `json:"key,omitempty" river:"unique"`
}

// jobKind is the River kind of a message job.
const jobKind = "mailtrail_message"

// Kind returns the River job kind.
func (messageArgs) Kind() string { return jobKind }

// Enqueue stores env and returns its id. From then on the message will be
// delivered at least once (see the package documentation).
func (s *Store) Enqueue(ctx context.Context, env *mailer.Envelope) (string, error) {
	items := []outbox.Item{{Env: env}}
	err := s.EnqueueBatch(ctx, items)
	return items[0].ID, err
}

// EnqueueKey is Enqueue with an idempotency key, such as a batch file's
// name and line number, or an invoice number: when a message with that key
// is already stored, in any state, nothing is added and EnqueueKey returns
// the stored message's id and outbox.ErrDuplicate. Two callers may
// enqueue the same key at the same time: one of them gets ErrDuplicate.
func (s *Store) EnqueueKey(ctx context.Context, key string, env *mailer.Envelope) (string, error) {
	items := []outbox.Item{{Key: key, Env: env}}
	if err := s.EnqueueBatch(ctx, items); err != nil && !errors.Is(err, outbox.ErrDuplicate) {
		return "", err
	}
	return items[0].ID, items[0].Err
}

// EnqueueTx stores env within the application's own transaction tx: the
// message commits or rolls back with the rest of tx, and no worker sees it
// before tx commits. key is the idempotency key, "" for none, as in
// EnqueueKey (outbox.ErrDuplicate when the key is taken). The returned id
// is the message's once tx commits.
func (s *Store) EnqueueTx(ctx context.Context, tx pgx.Tx, key string, env *mailer.Envelope) (string, error) {
	items := []outbox.Item{{Key: key, Env: env}}
	if err := s.EnqueueBatchTx(ctx, tx, items); err != nil && !errors.Is(err, outbox.ErrDuplicate) {
		return "", err
	}
	return items[0].ID, items[0].Err
}

// EnqueueBatch stores every item's message in one transaction (their jobs
// in one River InsertManyTx, their bytes in one COPY), and sets each
// item's ID and Err: nil once stored, outbox.ErrDuplicate when its key was
// enqueued before. An item refused before the insert (a bad envelope) has its Err set and does
// not stop the others. It returns the items' errors other than
// ErrDuplicate, joined; when the transaction fails, every item has its
// error and nothing is stored. Keys in one batch must differ.
func (s *Store) EnqueueBatch(ctx context.Context, items []outbox.Item) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.wrap("enqueue", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := s.insert(ctx, tx, items); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		err = s.wrap("enqueue: commit", err)
		for i := range items {
			if items[i].Err == nil || errors.Is(items[i].Err, outbox.ErrDuplicate) {
				items[i].ID, items[i].Err = "", err
			}
		}
		return err
	}
	return itemErrors(items)
}

// EnqueueBatchTx is EnqueueBatch within the application's transaction tx:
// the messages commit or roll back with it. When the insert fails, tx is
// aborted (PostgreSQL refuses any further statement in it).
func (s *Store) EnqueueBatchTx(ctx context.Context, tx pgx.Tx, items []outbox.Item) error {
	if err := s.insert(ctx, tx, items); err != nil {
		return err
	}
	return itemErrors(items)
}

// insert inserts the items that pass envelopeOf: their jobs in one
// InsertManyTx, then the bytes of those that are new in one COPY, in tx.
// It sets every item's ID and Err, and returns the insert's error, which
// every item it concerns holds too.
func (s *Store) insert(ctx context.Context, tx pgx.Tx, items []outbox.Item) error {
	params := make([]river.InsertManyParams, 0, len(items))
	at := make([]int, 0, len(items)) // params[k] is items[at[k]]
	for i := range items {
		it := &items[i]
		it.ID, it.Err = "", nil
		envl, err := envelopeOf(it.Key, it.Env)
		if err != nil {
			it.Err = err
			continue
		}
		meta, err := json.Marshal(map[string]envelope{"envelope": envl})
		if err != nil {
			it.Err = err
			continue
		}
		opts := &river.InsertOpts{Queue: s.opts.Queue, Metadata: meta}
		if it.Key != "" {
			opts.UniqueOpts = uniqueByKey
		}
		params = append(params, river.InsertManyParams{Args: messageArgs{Key: it.Key}, InsertOpts: opts})
		at = append(at, i)
	}
	if len(params) == 0 {
		return nil
	}
	failed := func(err error) error {
		for _, i := range at {
			items[i].ID, items[i].Err = "", err
		}
		return err
	}
	res, err := s.client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return failed(s.wrap("enqueue", err))
	}
	rows := make([][]any, 0, len(res))
	for k, r := range res {
		it := &items[at[k]]
		it.ID = idOf(r.Job.ID, it.Key)
		if r.UniqueSkippedAsDuplicate {
			it.Err = outbox.ErrDuplicate
			continue
		}
		rows = append(rows, []any{r.Job.ID, it.Env.Data})
	}
	if err := s.putMessages(ctx, tx, rows); err != nil {
		return failed(s.wrap("enqueue", err))
	}
	return nil
}

// itemErrors joins the items' errors other than ErrDuplicate.
func itemErrors(items []outbox.Item) error {
	var errs []error
	for _, it := range items {
		if it.Err != nil && !errors.Is(it.Err, outbox.ErrDuplicate) {
			errs = append(errs, it.Err)
		}
	}
	return errors.Join(errs...)
}

// uniqueByKey makes the key (the one args field tagged river:"unique")
// unique across every state: a message delivered, refused or waiting for a
// person still holds its key, as its folder does in the folder store.
var uniqueByKey = river.UniqueOpts{
	ByArgs:  true,
	ByState: rivertype.JobStates(),
}

// envelopeOf checks env and returns its envelope, as its job keeps it.
func envelopeOf(key string, env *mailer.Envelope) (envelope, error) {
	if env == nil || len(env.Data) == 0 {
		return envelope{}, errors.New("outbox: postgres: empty message")
	}
	if env.From == "" || len(env.To) == 0 {
		return envelope{}, errors.New("outbox: postgres: envelope needs a sender and a recipient")
	}
	for _, a := range append([]string{env.From}, env.To...) {
		if strings.ContainsAny(a, "\r\n\x00<>") {
			return envelope{}, fmt.Errorf("outbox: postgres: bad envelope address %q", a)
		}
	}
	if len(key) > 200 || strings.ContainsAny(key, "\x00") {
		return envelope{}, fmt.Errorf("outbox: postgres: bad key %q: want at most 200 characters, no NUL", key)
	}
	return envelope{
		Key:       key,
		From:      env.From,
		To:        env.To,
		MessageID: env.MessageID,
		Resource:  env.Resource,
		Size:      len(env.Data),
	}, nil
}
