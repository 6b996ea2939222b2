// Package postgres is the PostgreSQL outbox store: rendered messages held
// as jobs of River (github.com/riverqueue/river, with pgx v5) in the
// application's own database, delivered by workers in any number of
// processes on any number of machines. It implements [outbox.Store] and
// [mailer.Outbox] under the one set of delivery rules ([outbox.Rules])
// that the folder store applies too. It lives in its own package so that
// users of the folder store do not import pgx.
//
// # The delivery promise
//
// Once an enqueue has returned nil (for [Store.EnqueueTx], once the
// application's transaction has committed), the message is in the
// database and will be handed to the SMTP server at least once, across
// crashes, restarts and relay outages, until the server accepts it with
// 250, refuses it permanently, or MaxAge passes. Every attempt sends the
// bytes stored at enqueue, hence the same Message-ID: no worker renders
// anything. It may be sent more than once: when a worker dies between the
// server's 250 and River's record of it (River records completions in
// small batches), River rescues the message after Options.RescueAfter and
// another worker sends it again; a receiver can spot the copy by its
// Message-ID. A transaction that rolls back leaves no message, and no
// worker sees a message before its transaction commits.
//
// # What happens to a message
//
//   - A relay outage, or any failure that concerns the server rather than
//     the message (dial, greeting, TLS, STARTTLS, AUTH), snoozes it: it is
//     tried again after the rules' pause, spending none of River's
//     attempts, so an outage of any length discards nothing; MaxAge alone
//     gives up.
//   - A temporary failure of the message (4xx) is retried after the
//     rules' backoff, with the same bytes.
//   - A permanent refusal is recorded with the server's answer (code,
//     enhanced code, text) and the job cancelled: River never runs it
//     again; "mailtrail outbox list --state failed" shows it.
//   - An unknown outcome (the final "." went out, the reply never came) is
//     not retried automatically (unless Rules.RetryUnknown): it is kept,
//     cancelled, for a person ("mailtrail outbox list --state unknown",
//     then "retry").
//   - A worker killed mid-send leaves its messages running; River's
//     rescuer hands them to another worker after RescueAfter.
//
// # Keys
//
// An item's key (a batch file and record, or the caller's own, such as an
// invoice number) is unique across every state (River's unique jobs): a
// key enqueued again adds nothing and reports [outbox.ErrDuplicate], also
// after the message was delivered, for as long as delivered messages are
// kept (Options.KeepSent; zero keeps them). A keyed message's id is its
// key; an unkeyed one's is River's job id.
//
// # States
//
// The outbox states are River's job states gathered: queued is available,
// scheduled, retryable, pending or running; sent is completed; failed and
// unknown are cancelled (the worker's record says which) or discarded
// (River gave up after 25 deaths of the message's worker). Each message's
// record (attempts, last error, server's answer) is the job's River
// output, in its metadata.
//
// # Schema
//
// The tables are created and updated only by [Store.Migrate] ("mailtrail
// outbox migrate"), never on start-up: deploy it like any other migration,
// before the workers. A store on a database without them, or with older
// ones, reports [ErrNotMigrated]. They live in Options.Schema, or the URL's
// search_path: River's (river_job and the others), and this package's own,
// mailtrail_message (each message's bytes, bytea, one row per job, deleted
// with its job) and mailtrail_migration (which of its migrations ran).
// A job's arguments hold its key alone and its metadata the envelope, so
// that River never parses, indexes or decodes a message's bytes as JSON;
// they are copied in (COPY) in the enqueue's transaction, and a worker
// reads those of the jobs River handed it several at a time. The messages
// go through River's queue "mailtrail", so the application's own River
// jobs may share the tables.
//
// Upgrading from a version that kept the bytes in the job's arguments:
// "outbox migrate" moves those of the messages that may still be sent
// (queued, failed, unknown) to mailtrail_message, in one transaction;
// delivered ones keep theirs. Stop the workers of the earlier version
// first: they cannot send the jobs it changed.
package postgres
