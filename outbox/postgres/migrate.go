package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// migration is one change of this package's own tables, beside River's.
// The table mailtrail_migration records those applied, by version.
type migration struct {
	version int
	name    string   // what it does, for the record
	sql     []string // run in order, in one transaction; "{s}" is the schema's prefix
}

// migrations are this package's changes, oldest first; a version is never
// reused or edited once released.
var migrations = []migration{
	{1, "message bytes in their own table", []string{
		// One row per message job, deleted with its job.
		`CREATE TABLE {s}mailtrail_message (
			job_id bigint PRIMARY KEY REFERENCES {s}river_job (id) ON DELETE CASCADE,
			data bytea NOT NULL
		)`,
		// Earlier versions kept the bytes in the job's arguments, as a
		// JSON string (or base64 for bytes that are not UTF-8), and the
		// envelope there too. Messages that may still be sent move to the
		// new table; delivered ones keep theirs, never read again.
		`INSERT INTO {s}mailtrail_message (job_id, data)
			SELECT id, CASE WHEN args ? 'data' THEN decode(args->>'data', 'base64')
				ELSE convert_to(args->>'text', 'UTF8') END
			FROM {s}river_job
			WHERE kind = 'mailtrail_message' AND state <> 'completed' AND (args ? 'text' OR args ? 'data')`,
		`UPDATE {s}river_job j SET
			args = jsonb_strip_nulls(jsonb_build_object('key', j.args->'key')),
			metadata = jsonb_set(j.metadata, '{envelope}', jsonb_strip_nulls(jsonb_build_object(
				'key', j.args->'key', 'from', j.args->'from', 'to', j.args->'to',
				'message_id', j.args->'message_id', 'resource', j.args->'resource',
				'size', octet_length(m.data))))
			FROM {s}mailtrail_message m
			WHERE m.job_id = j.id AND (j.args ? 'text' OR j.args ? 'data')`,
	}},
}

// Migrate creates or updates the outbox's tables (and the schema of
// Options.Schema when missing) to what this build needs: River's, then
// this package's own. It returns the migrations it applied, as "river 1"
// or "mailtrail 1"; none when the database is up to date. It is never run
// implicitly: deploy it like any other migration, before the workers.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	if s.opts.Schema != "" {
		if _, err := s.pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{s.opts.Schema}.Sanitize()); err != nil {
			return nil, fmt.Errorf("outbox: postgres: create schema %s: %w", s.opts.Schema, err)
		}
	}
	m, err := s.riverMigrator()
	if err != nil {
		return nil, err
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("outbox: postgres: migrate: %w", err)
	}
	var applied []string
	for _, v := range res.Versions {
		applied = append(applied, fmt.Sprint("river ", v.Version))
	}
	own, err := s.migrateOwn(ctx)
	for _, v := range own {
		applied = append(applied, fmt.Sprint("mailtrail ", v))
	}
	return applied, err
}

// migrateOwn applies this package's migrations that the database lacks, in
// one transaction, and returns their versions.
func (s *Store) migrateOwn(ctx context.Context) ([]int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("outbox: postgres: migrate: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// One migration at a time, whichever process runs it.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", s.prefix()+"mailtrail_migration"); err != nil {
		return nil, fmt.Errorf("outbox: postgres: migrate: %w", err)
	}
	if _, err := tx.Exec(ctx, s.expand(`CREATE TABLE IF NOT EXISTS {s}mailtrail_migration (
		version integer PRIMARY KEY,
		name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`)); err != nil {
		return nil, fmt.Errorf("outbox: postgres: migrate: %w", err)
	}
	have, err := s.ownVersion(ctx, tx)
	if err != nil {
		return nil, err
	}
	var applied []int
	for _, m := range migrations {
		if m.version <= have {
			continue
		}
		for _, q := range m.sql {
			if _, err := tx.Exec(ctx, s.expand(q)); err != nil {
				return nil, fmt.Errorf("outbox: postgres: migrate: mailtrail %d (%s): %w", m.version, m.name, err)
			}
		}
		if _, err := tx.Exec(ctx, s.expand(`INSERT INTO {s}mailtrail_migration (version, name) VALUES ($1, $2)`), m.version, m.name); err != nil {
			return nil, fmt.Errorf("outbox: postgres: migrate: %w", err)
		}
		applied = append(applied, m.version)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("outbox: postgres: migrate: %w", err)
	}
	return applied, nil
}

// ownVersion returns the version of the database's own tables: the last
// of this package's migrations applied, 0 for none.
func (s *Store) ownVersion(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int, error) {
	var v int
	if err := q.QueryRow(ctx, s.expand(`SELECT coalesce(max(version), 0) FROM {s}mailtrail_migration`)).Scan(&v); err != nil {
		return 0, s.wrap("check the schema", err)
	}
	return v, nil
}

// prefix returns what names a table in the store's schema: the quoted
// schema and a dot, or nothing for the connection's search_path.
func (s *Store) prefix() string {
	if s.opts.Schema == "" {
		return ""
	}
	return pgx.Identifier{s.opts.Schema}.Sanitize() + "."
}

// expand puts the store's schema in a migration's statement.
func (s *Store) expand(q string) string { return strings.ReplaceAll(q, "{s}", s.prefix()) }

func (s *Store) riverMigrator() (*rivermigrate.Migrator[pgx.Tx], error) {
	m, err := rivermigrate.New(riverpgxv5.New(s.pool), &rivermigrate.Config{Logger: s.log, Schema: s.opts.Schema})
	if err != nil {
		return nil, fmt.Errorf("outbox: postgres: %w", err)
	}
	return m, nil
}

// checkMigrated returns ErrNotMigrated, wrapped with what is missing, when
// the database's tables, River's or this package's, are missing or older
// than this build's.
func (s *Store) checkMigrated(ctx context.Context) error {
	m, err := s.riverMigrator()
	if err != nil {
		return err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return s.wrap("check the schema", err)
	}
	if !res.OK {
		return fmt.Errorf("%w (%v)", ErrNotMigrated, res.Messages)
	}
	v, err := s.ownVersion(ctx, s.pool)
	if err != nil {
		return err
	}
	if want := migrations[len(migrations)-1].version; v < want {
		return fmt.Errorf("%w (mailtrail migrations %d to %d are missing)", ErrNotMigrated, v+1, want)
	}
	return nil
}
