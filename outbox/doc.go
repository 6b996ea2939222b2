// Package outbox holds rendered messages until they are delivered: it
// stores them durably, schedules and retries their delivery, and records
// what became of each. Package mailer renders and transmits one message
// and defines the small interface an outbox fills ([mailer.Outbox]:
// accept a rendered Envelope durably and return its id); this package has
// the stores behind it, the one set of delivery rules they share
// ([Rules]), and the batch engine.
//
// # The promise, for every store
//
// Once Enqueue has returned nil (or EnqueueBatch set an item's Err to
// nil), the message is stored and will be handed to the SMTP server at
// least once, across crashes, restarts and relay outages, until the server
// accepts it with 250, refuses it permanently, or MaxAge passes. It is
// never sent zero times. It may be sent more than once: a crash between
// the server's 250 and the record of it sends it again, with the same
// bytes (rendered once, at enqueue), hence the same Message-ID, so a
// receiver can spot the copy (RFC 5321 §4.5.4.1).
//
// # The delivery rules, for every store
//
// [Rules.Decide] is the one place that turns an attempt's outcome into
// what happens next:
//   - accepted: sent;
//   - a temporary failure of the message (4xx, a dropped connection before
//     the final "."): retried after a backoff that doubles from
//     MinBackoff to MaxBackoff, with jitter, until MaxAge (then failed,
//     class "expired");
//   - a failure of the server rather than the message (a refused dial, a
//     421 or 554 greeting, TLS, STARTTLS, refused credentials): the
//     message keeps its place without counting an attempt, and the whole
//     queue pauses for a growing backoff — every message would meet it;
//   - a permanent refusal (5xx): failed, with the server's answer kept
//     ([Failure]);
//   - an unknown outcome (the final "." went out, the reply never came):
//     kept apart as unknown for a person to decide, never sent again
//     automatically unless RetryUnknown says so;
//   - a partial delivery: the accepted recipients are done, the
//     temporarily refused ones retried.
//
// A person lists failed and unknown messages ([Store.List]) and queues them
// again ([Store.Retry], [Store.RetryState]); "mailtrail outbox" does it
// from the shell.
//
// # The folder store
//
// [Folder] is the default, embedded store: a directory on one machine,
// nothing to install. Messages enqueued together are one segment file in
// queue/ (their envelopes, their bytes, and a log of what became of each);
// Enqueue writes it, fsyncs it (group commit: one file and one fsync for a
// group), renames it into queue/ and fsyncs the folder before it returns.
// A sent message is a record in its segment's log, and a segment with
// nothing left queued moves to sent/; a failed or unknown message moves
// out to its own files, ID.eml (the bytes sent) and ID.json (envelope and
// state), in failed/ or unknown/. Several processes may enqueue into one
// folder; one at a time delivers (a lock file). It does not span
// machines: for several application replicas, use the PostgreSQL store.
//
// # What it does not do
//
// It never re-renders a message, and it keeps no queue engine of its own
// for many machines: the PostgreSQL store is built on River.
package outbox
