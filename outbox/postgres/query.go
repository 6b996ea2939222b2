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

	"github.com/mailtrail/mailtrail/outbox"
)

// stateSQL maps a River job row to the outbox state it is in: a job the
// worker cancelled is failed or unknown as its record says; one River
// discarded (its worker died or panicked too often) is failed.
const stateSQL = `CASE
	WHEN state = 'completed' THEN 'sent'
	WHEN state IN ('cancelled', 'discarded') THEN
		CASE WHEN metadata->'output'->>'state' = 'unknown' THEN 'unknown' ELSE 'failed' END
	ELSE 'queued' END`

// Counts says how many messages each state holds.
func (s *Store) Counts(ctx context.Context) (outbox.Counts, error) {
	var c outbox.Counts
	rows, err := s.pool.Query(ctx, `SELECT `+stateSQL+`, count(*) FROM `+s.table+
		` WHERE kind = $1 AND queue = $2 GROUP BY 1`, jobKind, s.opts.Queue)
	if err != nil {
		return c, s.wrap("counts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return c, s.wrap("counts", err)
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
		return c, s.wrap("counts", err)
	}
	return c, nil
}

// entrySQL selects what an Entry needs: the job's columns and metadata,
// never its arguments (the message's bytes).
const entrySQL = `SELECT id, metadata, created_at, scheduled_at, finalized_at, errors, ` + stateSQL + ` FROM `

// keySQL is a message's key.
const keySQL = `metadata->'envelope'->>'key'`

// List returns the messages in one state, oldest first, without their
// bytes (Size says how large they are), with their Failure for
// StateFailed and StateUnknown.
func (s *Store) List(ctx context.Context, state outbox.State) ([]*outbox.Entry, error) {
	return s.entries(ctx, "list", `WHERE kind = $1 AND queue = $2 AND `+stateSQL+` = $3 ORDER BY id`,
		jobKind, s.opts.Queue, state.String())
}

// Lookup returns the message with that id or key, in whichever state it
// is, with its Failure; an error wrapping outbox.ErrNotFound when there is
// none.
func (s *Store) Lookup(ctx context.Context, idOrKey string) (*outbox.Entry, error) {
	id, _ := strconv.ParseInt(idOrKey, 10, 64)
	list, err := s.entries(ctx, "lookup", `WHERE kind = $1 AND queue = $2 AND (`+keySQL+` = $3 OR id = $4 AND `+keySQL+` IS NULL)`,
		jobKind, s.opts.Queue, idOrKey, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%w: %q", outbox.ErrNotFound, idOrKey)
	}
	return list[0], nil
}

// Keys returns the keys starting with prefix, and the state of each: a
// batch run again skips, without rendering them, the records an earlier
// run enqueued.
func (s *Store) Keys(ctx context.Context, prefix string) (map[string]outbox.State, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+keySQL+`, `+stateSQL+` FROM `+s.table+
		` WHERE kind = $1 AND queue = $2 AND starts_with(`+keySQL+`, $3)`, jobKind, s.opts.Queue, prefix)
	if err != nil {
		return nil, s.wrap("keys", err)
	}
	defer rows.Close()
	keys := make(map[string]outbox.State)
	for rows.Next() {
		var key, st string
		if err := rows.Scan(&key, &st); err != nil {
			return nil, s.wrap("keys", err)
		}
		if keys[key], err = outbox.ParseState(st); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("keys", err)
	}
	return keys, nil
}

// entries runs entrySQL with a WHERE clause and makes the entries.
func (s *Store) entries(ctx context.Context, what, where string, args ...any) ([]*outbox.Entry, error) {
	rows, err := s.pool.Query(ctx, entrySQL+s.table+" "+where, args...)
	if err != nil {
		return nil, s.wrap(what, err)
	}
	defer rows.Close()
	var out []*outbox.Entry
	for rows.Next() {
		var (
			id      int64
			meta    []byte
			created time.Time
			sched   time.Time
			final   *time.Time
			errs    []rivertype.AttemptError
			st      string
		)
		if err := rows.Scan(&id, &meta, &created, &sched, &final, &errs, &st); err != nil {
			return nil, s.wrap(what, err)
		}
		state, err := outbox.ParseState(st)
		if err != nil {
			return nil, err
		}
		m := metaOf(meta)
		e := entryOf(id, &m.Envelope, &m.Output, created)
		e.State = state
		if final != nil {
			e.Done = *final
		}
		if state == outbox.StateQueued {
			e.Next = sched
		} else {
			e.Next = time.Time{}
		}
		if state == outbox.StateFailed && e.Failure == nil && len(errs) > 0 {
			// Failed without the worker's word: River gave it up after
			// its worker died or panicked too often.
			last := errs[len(errs)-1]
			e.LastError = last.Error
			e.Failure = &outbox.Failure{Time: last.At, Attempts: last.Attempt, Class: "permanent", Error: last.Error}
		}
		if state != outbox.StateFailed && state != outbox.StateUnknown {
			e.Failure = nil
		}
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(what, err)
	}
	return out, nil
}

// Retry queues again the failed or unknown messages with those ids (or
// keys), for an attempt now with the same bytes and Message-ID, and
// returns how many it queued. MaxAge counts again from now. An id that
// names no failed or unknown message is an error wrapping
// outbox.ErrNotFound; the others are still queued.
func (s *Store) Retry(ctx context.Context, ids []string) (int, error) {
	var errs []error
	n := 0
	for _, id := range ids {
		if err := s.retryOne(ctx, id); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// RetryState queues again every message in state (StateFailed or
// StateUnknown) and returns how many.
func (s *Store) RetryState(ctx context.Context, state outbox.State) (int, error) {
	if state != outbox.StateFailed && state != outbox.StateUnknown {
		return 0, fmt.Errorf("outbox: postgres: retry: only failed or unknown messages are retried, not %s", state)
	}
	list, err := s.List(ctx, state)
	if err != nil {
		return 0, err
	}
	ids := make([]string, len(list))
	for i, e := range list {
		ids[i] = e.ID
	}
	return s.Retry(ctx, ids)
}

// retryOne queues one failed or unknown message again, in one
// transaction: its record forgets the failure and notes the retry, and
// River makes the job available.
func (s *Store) retryOne(ctx context.Context, idOrKey string) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.wrap("retry", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	id, _ := strconv.ParseInt(idOrKey, 10, 64)
	err = tx.QueryRow(ctx, `SELECT id FROM `+s.table+` WHERE kind = $1 AND queue = $2
		AND state IN ('cancelled', 'discarded') AND (id = $3 OR `+keySQL+` = $4)
		ORDER BY `+keySQL+` = $4 DESC LIMIT 1 FOR UPDATE`,
		jobKind, s.opts.Queue, id, idOrKey).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: no failed or unknown message %q", outbox.ErrNotFound, idOrKey)
	}
	if err != nil {
		return s.wrap("retry "+idOrKey, err)
	}
	now, err := json.Marshal(s.opts.Now().UTC())
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE `+s.table+` SET metadata = jsonb_set(metadata, '{output}',
		(coalesce(metadata->'output', '{}'::jsonb) - 'state' - 'failure' - 'next_attempt') || jsonb_build_object('retried', $2::jsonb))
		WHERE id = $1`, id, string(now)); err != nil {
		return s.wrap("retry "+idOrKey, err)
	}
	if _, err := s.client.JobRetryTx(ctx, tx, id); err != nil {
		return s.wrap("retry "+idOrKey, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return s.wrap("retry "+idOrKey, err)
	}
	return nil
}
