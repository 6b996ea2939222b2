package mailer

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/render"
)

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
