package postgres

import (
	"context"
	"errors"
	"fmt"

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
// one COPY in tx.
func (s *Store) putMessages(ctx context.Context, tx pgx.Tx, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, s.ident(messageTable), []string{"job_id", "data"}, pgx.CopyFromRows(rows))
	return err
}

// message returns the bytes of a job's message; an error wrapping
// errNoMessage when there are none.
func (s *Store) message(ctx context.Context, jobID int64) ([]byte, error) {
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM `+s.messages+` WHERE job_id = $1`, jobID).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w (job %d)", errNoMessage, jobID)
	}
	if err != nil {
		return nil, s.wrap("read the message", err)
	}
	return data, nil
}

// ident returns a table's name in the store's schema.
func (s *Store) ident(table string) pgx.Identifier {
	if s.opts.Schema == "" {
		return pgx.Identifier{table}
	}
	return pgx.Identifier{s.opts.Schema, table}
}
