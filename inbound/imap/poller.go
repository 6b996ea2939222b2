package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
)

// Poller takes the messages of an IMAP mailbox one at a time, parses and
// traces each, hands it to a [Handler], and files it in the Processed
// folder when the handler succeeds or the Failed folder when it does not,
// so that operators can open the mailbox with any mail client and see, or
// fix and move back, what failed.
//
// Messages are addressed by UID only, never by sequence number (RFC 3501
// §2.3.1.1: sequence numbers shift as messages are moved or expunged).
// Bodies are fetched with BODY.PEEK[] so that \Seen is left alone.
//
// # At least once
//
// Handling is at-least-once: a crash (or a lost connection) after the
// handler returned but before the message was moved leaves it in the
// mailbox, and the next pass hands it over again. Make handlers idempotent,
// keyed by the Message-ID ([Mail.Key]). A [Ledger] narrows the window: the
// outcome is recorded before the move, and a message whose key the ledger
// knows is filed again without calling the handler. With a ledger, a changed
// UIDVALIDITY (RFC 3501 §2.3.1.1: every UID of the mailbox is void) is
// harmless too: the mailbox is scanned afresh, as it is on every pass, and
// the keys, which do not depend on UIDs, keep already handled messages from
// being handled twice.
//
// A zero Poller is not usable: URL is required. The other fields have
// useful zero values. A Poller may be used by one Poll or Watch at a time;
// do not change its fields while one runs.
type Poller struct {
	// URL says where and how to connect:
	//
	//	imaps://user:pass@host:993          TLS from the first byte (port 993 by default)
	//	imap://user:pass@host:143           STARTTLS, required (port 143 by default)
	//	imap+insecure://user:pass@127.0.0.1:1143
	//	                                    no TLS at all: loopback hosts only
	//
	// User names and passwords are percent-encoded (app%40example.test).
	// The password appears in no error and no log line.
	URL string

	// TLSConfig is used for imaps:// and imap://. Nil means the system's
	// roots and the URL's host as the server name.
	TLSConfig *tls.Config

	// ProxyURL, if set, is an HTTP proxy (http://[user:pass@]host:port)
	// through which the connection is tunnelled with CONNECT. TLS to the
	// IMAP server still runs end to end.
	ProxyURL string

	// Mailbox is the mailbox to process. Empty means INBOX.
	Mailbox string

	// Processed and Failed are the folders messages are filed in. Empty
	// means "processed" and "failed". Both are created when missing.
	Processed, Failed string

	// MoveMode says how messages are moved; the zero value is [MoveAuto].
	MoveMode MoveMode

	// App is the application's address, used to trace each message to its
	// resource with [Trace]. The zero App traces nothing.
	App identity.App

	// Ledger, if set, remembers outcomes by [Mail.Key] so that a message
	// handled but not moved is filed again without a second handler call.
	// Nil means none: handling is purely at-least-once.
	Ledger Ledger

	// MaxSize is the largest message fetched and parsed, in octets. A
	// larger one is filed in Failed without being downloaded, with a
	// [*SizeError] (ErrTooLarge). Zero means inbound.DefaultMaxSize.
	MaxSize int64

	// MessageTimeout bounds the work on one message: parsing, tracing and
	// the Handler, which gets a context with this deadline. A message not
	// done in time is filed in Failed with an error wrapping
	// context.DeadlineExceeded, and the next one is taken. Zero means
	// DefaultMessageTimeout.
	MessageTimeout time.Duration

	// DialTimeout bounds connecting, TLS and login. Zero means 30s.
	DialTimeout time.Duration

	// LogoutTimeout bounds the LOGOUT at the end of a session, and how long
	// a cancelled context lets the command in flight finish before the
	// connection is closed. Zero means 5s.
	LogoutTimeout time.Duration

	// PollInterval is how often Watch looks for new mail on a server
	// without IDLE. Zero means one minute.
	PollInterval time.Duration

	// IdleRecheck is how long Watch idles before it looks again anyway,
	// should the server have missed telling it. Zero means 10 minutes.
	IdleRecheck time.Duration

	// ReconnectDelay is Watch's first wait after a lost connection; it
	// doubles on each failure up to ReconnectMax and is reset by a
	// successful pass. Zero means 1s and 5 minutes.
	ReconnectDelay, ReconnectMax time.Duration

	// Logger receives one line per message and per connection event. Nil
	// means no logging.
	Logger *slog.Logger

	// Filed, if set, is called after each message was filed, with its
	// Outcome and Err set. It runs on the polling goroutine.
	Filed func(m *Mail)
}

// Handler handles one message. Returning nil files it in Processed; an
// error (or a panic, which is recovered) files it in Failed. ctx is the
// context given to Poll or Watch: when it is cancelled, a handler that
// returns an error leaves the message where it is for the next run.
type Handler func(ctx context.Context, m *Mail) error

// Mail is one message taken from the mailbox, as a [Handler] sees it.
type Mail struct {
	Mailbox     string // the mailbox it came from
	UIDValidity uint32 // the mailbox's UIDVALIDITY at the time
	UID         uint32 // valid only with that UIDVALIDITY
	Size        int64  // RFC822.SIZE
	Raw         []byte // the message as fetched; nil when over MaxSize

	// Message is the parsed message; nil when it could not be parsed (the
	// handler is then not called).
	Message *inbound.Message

	// Trace is the resource the message is about and its kind (reply,
	// automatic reply, bounce), nil when none was found or [Poller.App] is
	// zero; TraceErr then says why (identity.ErrNotFound, a forged token,
	// …). A subject-only match (Exact false) is a hint: check it against
	// Trace.Sender before trusting it.
	Trace    *inbound.Result
	TraceErr error

	// Key identifies the message across UIDs and UIDVALIDITY changes: its
	// Message-ID, or "sha256:" and the hash of Raw when it has none. Use it
	// to make a handler idempotent.
	Key string

	// Set once the message was handled, before Filed is called.
	Outcome  Outcome
	Err      error // why it failed: the handler's error, a panic, a parse error
	Replayed bool  // the Ledger knew it: filed without calling the handler
}

// Outcome is where a message was filed.
type Outcome int

// The outcomes.
const (
	OutcomeNone      Outcome = iota // not filed (yet)
	OutcomeProcessed                // handled: filed in Processed
	OutcomeFailed                   // not handled: filed in Failed
)

func (o Outcome) String() string {
	switch o {
	case OutcomeProcessed:
		return "processed"
	case OutcomeFailed:
		return "failed"
	default:
		return "none"
	}
}

// MoveMode says how a message is moved to its folder.
type MoveMode int

const (
	// MoveAuto uses UID MOVE (RFC 6851) when the server advertises it, and
	// COPY + STORE \Deleted + UID EXPUNGE otherwise. If the server answers
	// a MOVE with NO or BAD, the rest of the session uses the copy instead.
	MoveAuto MoveMode = iota
	// MoveCopyDelete always copies, flags \Deleted and expunges (UID
	// EXPUNGE, RFC 4315, when the server has UIDPLUS; else a plain EXPUNGE,
	// which also removes other messages flagged \Deleted in the mailbox).
	// For servers whose MOVE is advertised but does not work.
	MoveCopyDelete
)

func (m MoveMode) String() string {
	switch m {
	case MoveAuto:
		return "auto"
	case MoveCopyDelete:
		return "copy"
	default:
		return fmt.Sprintf("MoveMode(%d)", int(m))
	}
}

// Errors callers branch on. Each is wrapped with what was being done.
var (
	// ErrConfig is a Poller that cannot work: a missing or malformed URL,
	// a plain-text URL for a host that is not loopback, folders that clash.
	ErrConfig = errors.New("imap: bad IMAP configuration")
	// ErrAuth is a login the server refused.
	ErrAuth = errors.New("imap: IMAP login refused")
	// ErrTLS is a TLS handshake that failed, or a server without STARTTLS
	// for an imap:// URL. No password was sent.
	ErrTLS = errors.New("imap: IMAP TLS failed")
)

// PanicError is a handler panic, recovered; the message is filed in Failed.
type PanicError struct {
	Value any    // what the handler panicked with
	Stack []byte // the handler goroutine's stack at the panic
}

func (e *PanicError) Error() string { return fmt.Sprintf("imap: handler panicked: %v", e.Value) }

func (p *Poller) mailbox() string { return or(p.Mailbox, "INBOX") }

func (p *Poller) processed() string { return or(p.Processed, "processed") }

func (p *Poller) failed() string { return or(p.Failed, "failed") }

// DefaultMessageTimeout is the default of [Poller.MessageTimeout].
const DefaultMessageTimeout = 10 * time.Minute

func (p *Poller) messageTimeout() time.Duration {
	if p.MessageTimeout > 0 {
		return p.MessageTimeout
	}
	return DefaultMessageTimeout
}

func (p *Poller) maxSize() int64 {
	if p.MaxSize > 0 {
		return p.MaxSize
	}
	return inbound.DefaultMaxSize
}

func (p *Poller) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func dur(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Check reports whether p can work, without connecting: the URL, the proxy
// URL and the folders. Its errors wrap [ErrConfig].
func (p *Poller) Check() error {
	if _, err := parseIMAPURL(p.URL); err != nil {
		return err
	}
	if p.ProxyURL != "" {
		if _, err := parseProxyURL(p.ProxyURL); err != nil {
			return err
		}
	}
	mb, pr, fa := p.mailbox(), p.processed(), p.failed()
	if sameMailbox(pr, mb) || sameMailbox(fa, mb) {
		return fmt.Errorf("%w: the processed and failed folders must differ from %s", ErrConfig, mb)
	}
	if pr == fa {
		return fmt.Errorf("%w: the processed and failed folders are both %q", ErrConfig, pr)
	}
	if p.MoveMode != MoveAuto && p.MoveMode != MoveCopyDelete {
		return fmt.Errorf("%w: unknown %v", ErrConfig, p.MoveMode)
	}
	return nil
}

// sameMailbox compares mailbox names; INBOX is case-insensitive (RFC 3501
// §5.1).
func sameMailbox(a, b string) bool {
	if a == b {
		return true
	}
	return len(a) == 5 && len(b) == 5 && equalFoldASCII(a, "INBOX") && equalFoldASCII(b, "INBOX")
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
