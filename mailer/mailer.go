package mailer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

// ErrInvalidMessage is wrapped by every refusal of a message's content
// before anything is sent or written: an invalid or empty address, CR, LF
// or NUL in a header value, a bad resource id, an unknown template, a
// template error, an unreadable attachment, a header not on the
// allow-list. Sending the same message again cannot succeed.
var ErrInvalidMessage = errors.New("mailer: invalid message")

// JSONPlacement says where the application/json part goes.
type JSONPlacement int

const (
	// JSONAlternative puts the JSON first in the multipart/alternative,
	// before text/plain and text/html (clients show the last one they
	// can). The default.
	JSONAlternative JSONPlacement = iota
	// JSONAttachment puts the JSON beside the alternative, as an attachment
	// named data.json in a multipart/mixed: for partners whose client shows
	// an alternative JSON part as a stray attachment anyway (Gmail does).
	JSONAttachment
)

// String returns "alternative" or "attachment".
func (p JSONPlacement) String() string {
	switch p {
	case JSONAlternative:
		return "alternative"
	case JSONAttachment:
		return "attachment"
	}
	return fmt.Sprintf("JSONPlacement(%d)", int(p))
}

// Config configures a [Mailer]. Only From is required; the zero value of
// every other field is a working default.
type Config struct {
	// From is the application's address, "app@example.com", optionally
	// with a display name: "Fleet desk <app@example.com>". Its local part
	// and domain make every reply address (app+<resource>@example.com),
	// Message-ID and References (see package identity). It is also the
	// SMTP envelope sender.
	From string
	// Keys, when set, sign the resource ids in reply addresses and
	// Message-IDs (identity.App.Keys); nil leaves them unsigned.
	Keys []identity.Key

	// Templates holds the templates named by Message.Template, such as
	// os.DirFS("templates") or an embed.FS. Loaded templates are kept for
	// the Mailer's life: make a new Mailer to pick up edits, or pass
	// Message.Parsed.
	Templates fs.FS
	// Render configures the renderer (HTML layout, strictness); nil means
	// the defaults of render.New.
	Render *render.Options
	// Brand is the company's look (see render.Brand, usually read from a
	// brand.yaml with render.LoadBrand): it replaces Render.Brand, and its
	// Unsubscribe URL adds List-Unsubscribe and List-Unsubscribe-Post
	// (RFC 8058 one-click) to every message that does not set its own.
	// nil means Render.Brand.
	Brand *render.Brand

	// Transport, when set, transmits the messages; it is closed by
	// Close. When nil, SMTP is used.
	Transport Transport
	// SMTP is the server to send through. When nil, SMTPURL is parsed
	// (see ParseSMTPURL); when that is empty too, the variable
	// MAILTRAIL_SMTP_URL is read through Getenv; when that is empty too,
	// and neither Transport nor Outbox is set, New fails with
	// [ErrNoTransport]: a library does not guess where mail goes. SMTPURL
	// and MAILTRAIL_SMTP_URL may also be a file: URL ("file:./mail"),
	// which selects a FileTransport into that folder.
	SMTP *SMTPConfig
	// SMTPURL is an SMTP URL such as "smtp://user:pass@mail.example.com:587",
	// used when SMTP is nil.
	SMTPURL string
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string

	// Logger receives the mailer's log lines; nil means slog.Default().
	Logger *slog.Logger
	// Now gives the Date of each message; nil means time.Now.
	Now func() time.Time
	// NewToken gives the per-message part of each Message-ID
	// ([A-Za-z0-9_-], at most 64 octets); nil means a fresh random token
	// (identity.NewToken). Tests pin it for reproducible output.
	NewToken func() string
	// Boundary gives the boundary of the multipart at each nesting level
	// of a message: level 0 is the outermost content (the multipart/mixed
	// when there are attachments, else the multipart/alternative), level 1
	// the alternative inside the mixed, level 2 the multipart/signed around
	// them when the message is S/MIME-signed. nil means fresh random ones of the form
	// "=_" and 32 hex digits, a string that quoted-printable and base64
	// content can never contain. Tests pin it for reproducible output.
	Boundary func(level int) string

	// Signing signs every message with S/MIME, DKIM or both; the zero
	// value signs nothing (see [Signing]).
	Signing Signing

	// JSON places the application/json part; the zero value puts it first
	// in the alternative.
	JSON JSONPlacement
	// OmitAutoSubmitted leaves out "Auto-Submitted: auto-generated"
	// (RFC 3834). The header is on by default: it tells well-behaved
	// autoresponders (vacation notices, ticket systems) not to answer,
	// which keeps reply loops and out-of-office storms away from the
	// reply address. The trade-off: a partner's own automation may also
	// decide to ignore auto-generated mail (some ticket systems and mail
	// rules skip it), so set this if a partner must process our messages
	// automatically and drops them. X-Auto-Response-Suppress is always
	// written.
	OmitAutoSubmitted bool
	// ListID, when set, is written as List-Id (RFC 2919), so that readers
	// can filter these messages: a list id such as "orders.example.com",
	// optionally with a description: "Work orders <orders.example.com>".
	ListID string

	// BeforeSend, when set, is called by Send with each rendered message
	// before delivery; see [BeforeSendFunc].
	BeforeSend BeforeSendFunc
	// AfterSend, when set, is called by Send after each delivery attempt;
	// see [AfterSendFunc].
	AfterSend AfterSendFunc

	// Outbox, when set, is the durable outbox (see package outbox):
	// Send renders the message, hands it to Outbox.Enqueue and returns
	// once it is stored; the Receipt's OutboxID names it and AfterSend
	// sees the enqueue. The outbox's own workers deliver it, retrying
	// temporary failures. nil means Send transmits at once.
	Outbox Outbox
}

// Mailer renders messages and sends them over SMTP or into the local
// outbox. It is safe for concurrent use. Messages sent over SMTP share the
// transport's connections (one unless SMTPConfig.MaxConns says more).
// Close it when done.
type Mailer struct {
	cfg      Config
	app      identity.App
	from     address
	listID   string
	renderer *render.Renderer
	log      *slog.Logger
	dlv      Transport      // where Send hands messages: a Transport, or the Outbox
	queued   bool           // dlv is the Outbox
	set      *templates.Set // nil when Config.Templates is nil
	closed   atomic.Bool
	signer   *signer // nil unless Config.Signing signs
}

// New checks cfg and returns a Mailer. It fails on a missing or invalid
// From, an invalid ListID or SMTP configuration, and a renderer that cannot
// be built. It makes no connection: the first Send does.
func New(cfg Config) (*Mailer, error) {
	if cfg.From == "" {
		return nil, errors.New("mailer: config: From is required (the application's address, app@example.com)")
	}
	from, err := parseAddress("From", cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mailer: config: %w", err)
	}
	app, err := identity.ParseApp(from.Addr)
	if err != nil {
		return nil, fmt.Errorf("mailer: config: From: %w", err)
	}
	app.Keys = cfg.Keys
	if err := app.Check(); err != nil {
		return nil, fmt.Errorf("mailer: config: %w", err)
	}
	m := &Mailer{cfg: cfg, app: app, from: from}
	if cfg.Templates != nil {
		m.set = templates.NewSet(cfg.Templates)
	}
	if m.signer, err = newSigner(cfg.Signing, from.Addr[strings.LastIndexByte(from.Addr, '@')+1:]); err != nil {
		return nil, fmt.Errorf("mailer: config: %w", err)
	}
	if m.listID, err = formatListID(cfg.ListID); err != nil {
		return nil, fmt.Errorf("mailer: config: %w", err)
	}
	m.log = cfg.Logger
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.renderer, err = render.New(renderOptions(cfg)); err != nil {
		return nil, fmt.Errorf("mailer: config: %w", err)
	}
	if cfg.Outbox != nil {
		m.dlv, m.queued = outboxTransport{cfg.Outbox}, true
	} else if m.dlv, err = m.transport(cfg); errors.Is(err, ErrNoTransport) {
		return nil, err
	} else if err != nil {
		return nil, fmt.Errorf("mailer: config: %w", err)
	}
	return m, nil
}

// ErrNoTransport is the error of New when the Config says nowhere for
// messages to go: no Transport, SMTP, SMTPURL, MAILTRAIL_SMTP_URL or
// Outbox. Its text says how to choose.
var ErrNoTransport = errors.New("mailer: config: no transport chosen")

// transport picks the transport of cfg: Transport, SMTP, SMTPURL, then
// the environment; with none of them, ErrNoTransport.
func (m *Mailer) transport(cfg Config) (Transport, error) {
	if cfg.Transport != nil {
		return cfg.Transport, nil
	}
	if cfg.SMTP != nil {
		c := *cfg.SMTP // don't modify the caller's view
		if err := c.validate(); err != nil {
			return nil, err
		}
		return NewSMTPTransport(&c, m.log), nil
	}
	raw, fromEnv := strings.TrimSpace(cfg.SMTPURL), false
	if raw == "" {
		getenv := cfg.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		raw, fromEnv = strings.TrimSpace(getenv(EnvSMTPURL)), true
	}
	if raw == "" {
		return nil, fmt.Errorf("%w: set SMTPURL (or SMTP, or %s) such as smtp://user:pass@mail.example.com:587 to send, "+
			"SMTPURL \"file:DIR\" or Transport (NewFileTransport) to write .eml files into a folder, or Outbox to enqueue", ErrNoTransport, EnvSMTPURL)
	}
	t, err := OpenTransport(raw, m.log)
	if err != nil {
		if fromEnv {
			err = fmt.Errorf("%s: %w", EnvSMTPURL, err)
		}
		return nil, err
	}
	if ft, ok := t.(*FileTransport); ok {
		ft.now = m.now
	}
	return t, nil
}

// OpenTransport returns the transport a URL names: an SMTP URL (see
// [ParseSMTPURL]) or a file: URL, "file:./mail" or "file:///var/mail",
// for a [FileTransport] into that folder. A nil log discards.
func OpenTransport(rawURL string, log *slog.Logger) (Transport, error) {
	if dir, ok, err := fileURLDir(rawURL); ok {
		if err != nil {
			return nil, err
		}
		return NewFileTransport(dir, log), nil
	}
	cfg, err := ParseSMTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	return NewSMTPTransport(cfg, log), nil
}

// formatListID checks a Config.ListID and returns the List-Id field value.
func formatListID(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if err := checkHeaderText("ListID", s); err != nil {
		return "", err
	}
	name, id := "", strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if !strings.HasSuffix(id, ">") {
			return "", fmt.Errorf("ListID %q: want \"list.example.com\" or \"Description <list.example.com>\"", s)
		}
		name, id = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:len(s)-1])
	}
	if !isDotAtom(id) || !strings.Contains(id, ".") {
		return "", fmt.Errorf("ListID %q: the list id must be a dot-atom such as list.example.com (RFC 2919)", s)
	}
	if name == "" {
		return "<" + id + ">", nil
	}
	return formatPhrase(name) + " <" + id + ">", nil
}

func (m *Mailer) now() time.Time {
	if m.cfg.Now != nil {
		return m.cfg.Now()
	}
	return time.Now()
}

// Receipt says what Send did with a message.
type Receipt struct {
	// Resource is the resource id the message carries: Message.Resource,
	// or the new id made for it.
	Resource string
	// MessageID is the Message-ID field, with angle brackets. Store it
	// against the resource; note that some providers (Amazon SES) replace
	// it, while References, the resource's thread root, survives.
	MessageID string
	// Recipients are the envelope recipients the message went to, after
	// any BeforeSend hook.
	Recipients []string
	// Path is the file a FileTransport wrote; "" otherwise.
	Path string
	// OutboxID is the message's id in Config.Outbox when Send enqueued
	// it; "" when it was transmitted.
	OutboxID string
}

// Send renders msg (exactly as [Mailer.Render] does), runs the BeforeSend
// hook, delivers the message over SMTP or into the local outbox, and runs
// the AfterSend hook. It returns once the server accepted the message with
// 250 after DATA, or the file is safely on disk.
//
// Errors: about msg itself, [ErrInvalidMessage]; from the BeforeSend hook,
// wrapped as returned (see [ErrVetoed]); from SMTP, a [*SendError] (match
// its class with errors.Is: [ErrTransient], [ErrPermanent],
// [ErrUnknownOutcome]). Whenever the message was rendered, the Receipt
// comes back with the error too: its Resource and MessageID are those of
// the message that failed, and its Recipients those that got it anyway in
// a partial delivery (see [SendError]). To retry with the same
// Message-ID, Render once and [Mailer.Deliver] the Envelope again.
func (m *Mailer) Send(ctx context.Context, msg *Message) (*Receipt, error) {
	env, err := m.Render(ctx, msg)
	if err != nil {
		return nil, err
	}
	return m.deliver(ctx, env, true)
}

// Deliver delivers a message rendered by [Mailer.Render], as Send does
// after rendering: BeforeSend hook, delivery, AfterSend hook. It is how a
// message is retried with the same bytes and so the same Message-ID
// (RFC 5321 §4.5.4.1 lets receivers drop the duplicate if the first attempt
// did arrive), and how rendering and sending can run apart (render now,
// store the Envelope, deliver later). env may be changed by the hook.
func (m *Mailer) Deliver(ctx context.Context, env *Envelope) (*Receipt, error) {
	if env == nil {
		return nil, fmt.Errorf("%w: nil envelope", ErrInvalidMessage)
	}
	return m.deliver(ctx, env, false)
}

// deliver runs the hooks around one delivery. rendered says env comes
// straight from Render, already checked.
func (m *Mailer) deliver(ctx context.Context, env *Envelope, rendered bool) (*Receipt, error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	if !rendered {
		if err := checkEnvelope(env); err != nil {
			return nil, err
		}
	}
	if m.cfg.BeforeSend != nil {
		rc := &Receipt{Resource: env.Resource, MessageID: env.MessageID}
		if err := m.cfg.BeforeSend(ctx, env); err != nil {
			return rc, fmt.Errorf("mailer: before-send hook: %w", err)
		}
		if err := checkEnvelope(env); err != nil {
			return rc, fmt.Errorf("mailer: before-send hook: %w", err)
		}
	}
	where, err := m.dlv.Transmit(ctx, env)
	if m.cfg.AfterSend != nil {
		m.cfg.AfterSend(ctx, env, err)
	}
	rc := &Receipt{Resource: env.Resource, MessageID: env.MessageID, Path: where}
	if m.queued {
		rc.Path, rc.OutboxID = "", where
	}
	if err != nil {
		// A partial delivery: the message went to the accepted recipients.
		if se, ok := errors.AsType[*SendError](err); ok {
			rc.Recipients = append([]string(nil), se.Accepted...)
		}
		return rc, err
	}
	rc.Recipients = append([]string(nil), env.To...)
	return rc, nil
}

// checkEnvelope checks an envelope a hook may have changed.
func checkEnvelope(env *Envelope) error {
	if len(env.To) == 0 {
		return fmt.Errorf("%w: no recipient left on the envelope", ErrInvalidMessage)
	}
	for i, a := range append([]string{env.From}, env.To...) {
		what := "envelope recipient"
		if i == 0 {
			what = "envelope sender"
		}
		if err := checkHeaderText(what, a); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidMessage, err)
		}
		if err := checkAddrSpec(a); err != nil {
			return fmt.Errorf("%w: %s %q: %w", ErrInvalidMessage, what, a, err)
		}
	}
	if err := checkWire(env.Data); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	return nil
}

// ErrClosed is returned by Send after Close.
var ErrClosed = errors.New("mailer: closed")

// Close says QUIT on the Mailer's SMTP connections and releases them.
// Messages already accepted are unaffected; Send after Close returns
// ErrClosed. Close is idempotent.
func (m *Mailer) Close() error {
	if m.closed.Swap(true) {
		return nil
	}
	if m.dlv == nil {
		return nil
	}
	return m.dlv.Close()
}
