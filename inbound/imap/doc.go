// Package imap feeds the messages of an IMAP mailbox (RFC 3501, RFC 9051,
// through github.com/emersion/go-imap/v2) to the application: a [Poller]
// takes them one at a time by UID, parses and traces each with package
// inbound, hands it to a [Handler], and files it in a processed or failed
// folder (MOVE, RFC 6851, else COPY and delete). [Poller.Watch] waits for
// new mail with IDLE (RFC 2177) or by polling; a [Ledger] ([FileLedger],
// [MemoryLedger]) remembers outcomes, so that a message already handled
// is filed again without calling the handler, across reconnections and
// UIDVALIDITY changes. Handling is at least once: make handlers idempotent.
//
// Connections use TLS from the first byte (imaps://), STARTTLS
// (imap://, required) or, on loopback only, plain text
// (imap+insecure://); passwords appear in no error or log line
// ([RedactURL]). It does not send mail, and does not keep a local copy of
// the mailbox.
//
// Package inbound/imaptest is an in-process IMAP server for testing
// handlers end to end.
package imap
