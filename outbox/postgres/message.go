package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
)

// The bytes of each message are in the table mailtrail_message, one row
// per message job, written in the transaction that inserts the job and
// deleted with it (a foreign key, ON DELETE CASCADE, so River's cleaner
// of delivered jobs, Options.KeepSent, removes them too). A bytea column
// takes any bytes as they are; PostgreSQL compresses the large ones (with
// lz4 on the store's connections, see fastToast).

// messageTable is the table of the messages' bytes.
const messageTable = "mailtrail_message"

// errNoMessage means a job has no bytes to send: its row in
// mailtrail_message is missing (deleted by hand, for one). The message is
// filed as failed with this error.
var errNoMessage = errors.New("outbox: postgres: the message's bytes are missing")

// putMessages stores the bytes of new jobs, rows of (job id, bytes), in
// tx: in one COPY, or, for fewer than copyMin rows, whose COPY would cost
// PostgreSQL more to set up than it saves, in one batch of INSERTs. Either
// is one round trip.
func (s *Store) putMessages(ctx context.Context, tx pgx.Tx, rows [][]any) error {
	if len(rows) >= copyMin {
		_, err := tx.CopyFrom(ctx, s.ident(messageTable), []string{"job_id", "data"}, pgx.CopyFromRows(rows))
		return err
	}
	var b pgx.Batch
	for _, r := range rows {
		b.Queue(`INSERT INTO `+s.messages+` (job_id, data) VALUES ($1, $2)`, r...)
	}
	return tx.SendBatch(ctx, &b).Close()
}

// copyMin is the fewest messages putMessages copies in.
const copyMin = 16

// readMessages returns the bytes of the jobs ids that have them.
func (s *Store) readMessages(ctx context.Context, ids []int64) (map[int64][]byte, error) {
	rows, err := s.pool.Query(ctx, `SELECT job_id, data FROM `+s.messages+` WHERE job_id = ANY($1)`, ids)
	if err != nil {
		return nil, s.wrap("read the messages", err)
	}
	defer rows.Close()
	out := make(map[int64][]byte, len(ids))
	for rows.Next() {
		var id int64
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return nil, s.wrap("read the messages", err)
		}
		out[id] = data
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("read the messages", err)
	}
	return out, nil
}

// loader reads the bytes of the messages River has handed this process,
// several in one query: River hands over more jobs than there are send
// slots (prefetch), so when a slot reads its message, it reads those of
// the jobs waiting for a slot too, and their sends need no round trip to
// the database.
type loader struct {
	store *Store

	mu      sync.Mutex
	held    map[int64]int           // the jobs being worked, and their sizes
	pending map[int64]bool          // held jobs whose bytes no one has started reading
	reading map[int64]chan struct{} // held jobs whose bytes a query is reading; closed when it is done
	read    map[int64][]byte        // bytes read and not yet taken
}

// Limits of one read: at most loadJobs messages, and loadBytes bytes
// beyond the slot's own message.
const (
	loadJobs  = 64
	loadBytes = 4 << 20
)

func newLoader(s *Store) *loader {
	return &loader{store: s, held: map[int64]int{}, pending: map[int64]bool{},
		reading: map[int64]chan struct{}{}, read: map[int64][]byte{}}
}

// hold notes a job handed to this process, its message size bytes long.
func (l *loader) hold(id int64, size int) {
	l.mu.Lock()
	l.held[id], l.pending[id] = size, true
	l.mu.Unlock()
}

// release forgets a job whose attempt is over, and its bytes.
func (l *loader) release(id int64) {
	l.mu.Lock()
	delete(l.held, id)
	delete(l.pending, id)
	delete(l.read, id)
	l.mu.Unlock()
}

// get returns the bytes of held job id, reading them, with those of other
// held jobs, when no one has yet; an error wrapping errNoMessage when
// there are none.
func (l *loader) get(ctx context.Context, id int64) ([]byte, error) {
	l.mu.Lock()
	if data, ok := l.read[id]; ok {
		delete(l.read, id)
		l.mu.Unlock()
		return data, nil
	}
	if done, ok := l.reading[id]; ok {
		// Another slot's query reads it: wait for it, then take it, or
		// read it alone if that query failed.
		l.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		l.mu.Lock()
		data, ok := l.read[id]
		delete(l.read, id)
		l.mu.Unlock()
		if ok {
			return data, nil
		}
		return l.readOne(ctx, id)
	}
	ids := []int64{id}
	delete(l.pending, id)
	size := 0
	for other := range l.pending {
		if len(ids) == loadJobs || size+l.held[other] > loadBytes {
			break
		}
		ids, size = append(ids, other), size+l.held[other]
		delete(l.pending, other)
	}
	done := make(chan struct{})
	for _, other := range ids[1:] {
		l.reading[other] = done
	}
	l.mu.Unlock()

	got, err := l.store.readMessages(ctx, ids)
	l.mu.Lock()
	for _, other := range ids[1:] {
		delete(l.reading, other)
		if data, ok := got[other]; ok {
			if _, held := l.held[other]; held {
				l.read[other] = data
			}
		}
	}
	l.mu.Unlock()
	close(done)
	if err != nil {
		return nil, err
	}
	return pick(got, id)
}

// pick returns the bytes of job id from what a read found, or
// errNoMessage when they are missing.
func pick(got map[int64][]byte, id int64) ([]byte, error) {
	data, ok := got[id]
	if !ok {
		return nil, fmt.Errorf("%w (job %d)", errNoMessage, id)
	}
	return data, nil
}

// readOne reads the bytes of one job.
func (l *loader) readOne(ctx context.Context, id int64) ([]byte, error) {
	got, err := l.store.readMessages(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	return pick(got, id)
}

// ident returns a table's name in the store's schema.
func (s *Store) ident(table string) pgx.Identifier {
	if s.opts.Schema == "" {
		return pgx.Identifier{table}
	}
	return pgx.Identifier{s.opts.Schema, table}
}
