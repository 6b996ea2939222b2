package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/rivertype"
)

// stateSQL maps a River job row to the outbox state it is in.
const stateSQL = `CASE
	WHEN state = 'completed' THEN 'sent'
	WHEN state IN ('cancelled', 'discarded') THEN
		CASE WHEN metadata->'output'->>'state' = 'unknown' THEN 'unknown' ELSE 'failed' END
	ELSE 'queued' END`

// Counts is how many messages are in each state.
type Counts struct {
	Queued  int `json:"queued"`
	Sent    int `json:"sent"`
	Failed  int `json:"failed"`
	Unknown int `json:"unknown"`
}

// Status counts the messages in each state.
func (s *Store) Status(ctx context.Context) (Counts, error) {
	var c Counts
	rows, err := s.pool.Query(ctx, `SELECT `+stateSQL+`, count(*) FROM `+s.table+
		` WHERE kind = $1 AND queue = $2 GROUP BY 1`, jobKind, s.opts.Queue)
	if err != nil {
		return c, s.wrap("status", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return c, s.wrap("status", err)
		}
		switch st {
		case "queued":
			c.Queued = n
		case "sent":
			c.Sent = n
		case "failed":
			c.Failed = n
		case "unknown":
			c.Unknown = n
		}
	}
	if err := rows.Err(); err != nil {
		return c, s.wrap("status", err)
	}
	return c, nil
}

// Entry is the envelope and delivery state of one stored message.
type Entry struct {
	ID        string    `json:"id"`
	Key       string    `json:"key,omitempty"`
	From      string    `json:"from"`
	To        []string  `json:"to"`
	Delivered []string  `json:"delivered,omitempty"`
	MessageID string    `json:"message_id,omitempty"`
	Resource  string    `json:"resource,omitempty"`
	Size      int       `json:"size"`
	Enqueued  time.Time `json:"enqueued"`
	Attempts  int       `json:"attempts"`
	Unknown   int       `json:"unknown_outcomes,omitempty"`
	Next      time.Time `json:"next_attempt,omitzero"`
	Done      time.Time `json:"done,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	Failure   *Failure  `json:"failure,omitempty"`
	State     State     `json:"-"`
}

// List returns the messages in a state, oldest first, without their bytes.
func (s *Store) List(ctx context.Context, state State) ([]Entry, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, args - 'data', octet_length(decode(args->>'data', 'base64')),
		metadata, state, created_at, scheduled_at, finalized_at, errors
		FROM `+s.table+` WHERE kind = $1 AND queue = $2 AND `+stateSQL+` = $3 ORDER BY id`,
		jobKind, s.opts.Queue, state.String())
	if err != nil {
		return nil, s.wrap("list", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var (
			e        Entry
			id       int64
			args     []byte
			meta     []byte
			jobState string
			sched    time.Time
			final    *time.Time
			errs     []rivertype.AttemptError
		)
		if err := rows.Scan(&id, &args, &e.Size, &meta, &jobState, &e.Enqueued, &sched, &final, &errs); err != nil {
			return nil, s.wrap("list", err)
		}
		var a messageArgs
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, fmt.Errorf("outbox: postgres: list: message %d: %w", id, err)
		}
		rec := recordOf(&rivertype.JobRow{Metadata: meta})
		e.ID, e.Key, e.From, e.To, e.MessageID, e.Resource = strconv.FormatInt(id, 10), a.Key, a.From, a.To, a.MessageID, a.Resource
		e.Delivered, e.Attempts, e.Unknown, e.LastError, e.Failure = rec.Delivered, rec.Attempts, rec.Unknown, rec.LastError, rec.Failure
		e.State = state
		if final != nil {
			e.Done = *final
		}
		if state == Queued {
			e.Next = sched
		}
		if rec.LastError == "" && len(errs) > 0 {
			// Failed without the worker's word: River discarded it after
			// its worker died or panicked too often.
			e.LastError = errs[len(errs)-1].Error
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("list", err)
	}
	return out, nil
}

// Retry queues messages again, to be sent at once with the same bytes and
// Message-ID: failed and unknown ones, or queued ones waiting for a retry.
// It returns ErrNotFound for an id that is not a message of this store, and
// an error for one already sent; the other ids are retried all the same.
func (s *Store) Retry(ctx context.Context, ids ...string) error {
	var errs []error
	for _, id := range ids {
		if err := s.retryOne(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Store) retryOne(ctx context.Context, id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	var jobState string
	err = s.pool.QueryRow(ctx, `SELECT state FROM `+s.table+` WHERE id = $1 AND kind = $2 AND queue = $3`,
		n, jobKind, s.opts.Queue).Scan(&jobState)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return s.wrap("retry "+id, err)
	}
	switch rivertype.JobState(jobState) {
	case rivertype.JobStateCompleted:
		return fmt.Errorf("outbox: postgres: retry %s: already sent", id)
	case rivertype.JobStateRunning:
		return nil // being sent now
	}
	if _, err := s.client.JobRetry(ctx, n); err != nil {
		return s.wrap("retry "+id, err)
	}
	return nil
}

// RetryState retries every message in state (Failed or Unknown) and
// returns how many.
func (s *Store) RetryState(ctx context.Context, state State) (int, error) {
	if state != Failed && state != Unknown {
		return 0, fmt.Errorf("outbox: postgres: retry: only failed or unknown messages can be retried, not %s", state)
	}
	entries, err := s.List(ctx, state)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if err := s.retryOne(ctx, e.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
