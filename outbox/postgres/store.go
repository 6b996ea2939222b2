package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/outbox"
)

// Store is the PostgreSQL outbox: rendered messages held as River jobs in
// the application's own database (see the package documentation for its
// promise). It is an [outbox.Store] and a [mailer.Outbox]. It is safe for
// concurrent use.
type Store struct {
	pool     *pgxpool.Pool
	ownPool  bool // Close closes the pool
	opts     Options
	log      *slog.Logger
	client   *river.Client[pgx.Tx] // insert-only: no queues worked
	table    string                // the river_job table, schema-qualified and quoted
	messages string                // the mailtrail_message table, likewise

	mu      sync.Mutex
	running chan struct{} // closed when Run returns; nil when not running
	stop    chan struct{} // closed by Shutdown to stop Run
	stopCtx context.Context
}

// The store is an outbox.Store and a mailer.Outbox.
var (
	_ outbox.Store  = (*Store)(nil)
	_ mailer.Outbox = (*Store)(nil)
)

// Options configures a Store. A nil *Options uses the defaults; so does the
// zero value of each field. Only Run reads the delivery fields (Transport
// to Now): a store that only enqueues needs none of them.
type Options struct {
	// Schema is the PostgreSQL schema holding River's tables. "" means the
	// schema named by the URL's search_path parameter when it names
	// exactly one (postgres://…/db?search_path=mail), else the
	// connection's own search_path (usually "public").
	Schema string
	// Queue is the River queue the messages go through; "" means
	// "mailtrail". Workers deliver from this queue only, so the
	// application's own River jobs may share the tables.
	Queue string
	// Logger receives the store's and River's log lines; nil means
	// slog.Default().
	Logger *slog.Logger

	// Transport delivers the messages (SMTP, or a folder of .eml files);
	// Run needs it.
	Transport mailer.Transport
	// Concurrency is how many messages this process delivers at once;
	// zero means 2. Processes add up: three workers of 4 send 12 at once.
	Concurrency int
	// Rules are the delivery rules, shared with the folder store.
	outbox.Rules
	// RescueAfter is how long a message may stay in flight before River
	// takes its worker for dead and hands the message to another one,
	// which sends it again with the same Message-ID. Zero means 15
	// minutes; keep it well above the SMTP timeouts of one send.
	RescueAfter time.Duration
	// KeepSent is how long delivered messages are kept; zero keeps them,
	// as the folder store keeps sent/, so that enqueueing a key again,
	// even long after, adds nothing.
	KeepSent time.Duration
	// OnResult, when set, is called after every attempt, from the
	// delivering goroutines: it must be safe for concurrent use and quick.
	OnResult func(outbox.Result)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// DefaultQueue is the River queue of the messages when Options.Queue is "".
const DefaultQueue = "mailtrail"

// Errors of the store that callers branch on.
var (
	// ErrBadURL means Open was given a URL it cannot use.
	ErrBadURL = errors.New("outbox: postgres: bad URL")
	// ErrNotMigrated means the database has no River tables, or older
	// ones: run "mailtrail outbox migrate" (or [Store.Migrate]) once.
	ErrNotMigrated = errors.New("outbox: postgres: the database has no outbox tables yet; run \"mailtrail outbox migrate\"")
)

// Open connects to the database of a PostgreSQL URL
// ("postgres://user@host:5432/db", a password taken from the URL, PGPASSWORD
// or ~/.pgpass, as libpq does) and returns its store. Close closes the
// connections. The URL's password never shows in an error.
func Open(ctx context.Context, rawURL string, opts *Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, scrub(fmt.Errorf("%w %s: %w", ErrBadURL, Redacted(rawURL), err), rawURL)
	}
	var o Options
	if opts != nil {
		o = *opts // don't modify the caller's view
	}
	if o.Schema == "" {
		o.Schema = searchPathSchema(cfg.ConnConfig.RuntimeParams["search_path"])
	}
	cfg.AfterConnect = fastToast
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, scrub(fmt.Errorf("outbox: postgres: connect to %s: %w", Redacted(rawURL), err), rawURL)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, scrub(fmt.Errorf("outbox: postgres: connect to %s: %w", Redacted(rawURL), err), rawURL)
	}
	s, err := New(pool, &o)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.ownPool = true
	return s, nil
}

// fastToast makes PostgreSQL compress the messages this connection stores
// with lz4, several times cheaper than its default pglz. A server without
// lz4 (before PostgreSQL 14, or built without it) keeps its default.
func fastToast(ctx context.Context, c *pgx.Conn) error {
	_, _ = c.Exec(ctx, "SET default_toast_compression = 'lz4'")
	return nil
}

// identRE is what searchPathSchema takes as one plain schema name.
var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// searchPathSchema returns the schema a search_path names when it names
// exactly one, plainly; "" otherwise.
func searchPathSchema(sp string) string {
	if identRE.MatchString(sp) {
		return sp
	}
	return ""
}

// New returns the store of an application's own connection pool, which it
// does not close.
func New(pool *pgxpool.Pool, opts *Options) (*Store, error) {
	s := &Store{pool: pool}
	if opts != nil {
		s.opts = *opts // don't modify the caller's view
	}
	o := &s.opts
	if o.Queue == "" {
		o.Queue = DefaultQueue
	}
	if o.Concurrency <= 0 {
		o.Concurrency = outbox.DefaultConcurrency
	}
	o.Rules = o.Rules.WithDefaults()
	if o.RescueAfter <= 0 {
		o.RescueAfter = DefaultRescueAfter
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s.log = s.opts.Logger
	if s.log == nil {
		s.log = slog.Default()
	}
	s.table = s.ident("river_job").Sanitize()
	s.messages = s.ident(messageTable).Sanitize()
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger: s.log,
		Schema: s.opts.Schema,
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: postgres: %w", err)
	}
	s.client = c
	return s, nil
}

// DefaultRescueAfter is Options.RescueAfter's default.
const DefaultRescueAfter = 15 * time.Minute

// Close stops Run as Shutdown does, with no deadline, and closes the
// store's connections when Open made them.
func (s *Store) Close() error {
	err := s.Shutdown(context.Background())
	if s.ownPool {
		s.pool.Close()
	}
	return err
}

// Pool returns the store's connection pool, for the application's own
// transactions ([Store.EnqueueTx]).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// wrap prefixes err with what was being done, and turns a missing table
// into ErrNotMigrated.
func (s *Store) wrap(what string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42P01" { // undefined_table
		return fmt.Errorf("outbox: postgres: %s: %w", what, ErrNotMigrated)
	}
	return fmt.Errorf("outbox: postgres: %s: %w", what, err)
}
