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

// Config configures a [Mailer] (and a [Renderer]), one group of fields per
// concern. Identity.From is required, and a Mailer must be told where
// messages go (below); the zero value of every other field, and of every
// group, is a working default:
//
//	mailer.Config{
//		Identity:  mailer.Identity{From: "Fleet desk <fleet@example.com>"},
//		Render:    mailer.RenderConfig{Templates: os.DirFS("templates")},
//		Transport: mailer.TransportConfig{URL: "smtp://user:pass@mail.example.com:587"},
//	}
//
// A Mailer must be told where messages go: Outbox, or one of the
// Transport fields (or the variable MAILTRAIL_SMTP_URL); with none,
// [New] fails with [ErrNoTransport]. [NewRenderer] needs none of them.
type Config struct {
	// Identity is who the messages are from, and how the ids they carry
	// are made.
	Identity Identity
	// Render is how a message is rendered: templates, layout and brand,
	// JSON placement, and the fixed header fields.
	Render RenderConfig
	// Signing signs every message with S/MIME, DKIM or both; the zero
	// value signs nothing (see [Signing]).
	Signing Signing

	// Transport is where messages are transmitted when Outbox is nil:
	// an SMTP server or a folder of .eml files.
	Transport TransportConfig
	// Outbox, when set, is the durable outbox (see package outbox):
	// Send renders the message, hands it to Outbox.Enqueue and returns
	// once it is stored; the Receipt's OutboxID names it and AfterSend
	// sees the enqueue. The outbox's own workers deliver it, retrying
	// temporary failures. Transport is then not used. nil means Send
	// transmits at once, through Transport.
	Outbox Outbox
	// Hooks are called by Send around each delivery; the zero value
	// calls none.
	Hooks Hooks

	// Logger receives the mailer's log lines; nil means slog.Default().
	Logger *slog.Logger
	// Now gives the Date of each message (and the names of the files a
	// file: URL writes); nil means time.Now.
	Now func() time.Time
}

// Identity says who the messages are from and how the identifiers they
// carry are made (see package identity).
type Identity struct {
	// From is the application's address, "app@example.com", optionally
	// with a display name: "Fleet desk <app@example.com>". Its local part
	// and domain make every reply address (app+<resource>@example.com),
	// Message-ID and References. It is also the SMTP envelope sender.
	// Required.
	From string
	// Keys, when set, sign the resource ids in reply addresses and
	// Message-IDs (identity.App.Keys); nil leaves them unsigned.
	Keys []identity.Key
	// NewToken gives the per-message part of each Message-ID
	// ([A-Za-z0-9_-], at most 64 octets); nil means a fresh random token
	// (identity.NewToken). Tests pin it for reproducible output.
	NewToken func() string
}

// RenderConfig says how a message is rendered: where its templates are,
// the layout and brand around them, where the JSON part goes, the fixed
// header fields, and the MIME boundaries. The zero value renders with
// render.New's defaults, the templates given in each Message.Parsed, the
// JSON first in the alternative and random boundaries.
type RenderConfig struct {
	// Templates holds the templates named by Message.Template, such as
	// os.DirFS("templates") or an embed.FS; nil means every Message
	// brings its own (Message.Parsed). Loaded templates are kept for the
	// Mailer's life: make a new Mailer to pick up edits, or pass
	// Message.Parsed.
	Templates fs.FS
	// Options configures the renderer (HTML layout, strictness); nil
	// means the defaults of render.New.
	Options *render.Options
	// Brand is the company's look (see render.Brand, usually read from a
	// brand.yaml with render.LoadBrand): it replaces Options.Brand, and
	// its Unsubscribe URL adds List-Unsubscribe and List-Unsubscribe-Post
	// (RFC 8058 one-click) to every message that does not set its own.
	// nil means Options.Brand.
	Brand *render.Brand
	// JSON places the application/json part; the zero value puts it first
	// in the alternative.
	JSON JSONPlacement
	// ListID, when set, is written as List-Id (RFC 2919), so that readers
	// can filter these messages: a list id such as "orders.example.com",
	// optionally with a description: "Work orders <orders.example.com>".
	// "" writes none.
	ListID string
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
	// Boundary gives the boundary of the multipart at each nesting level
	// of a message: level 0 is the outermost content (the multipart/mixed
	// when there are attachments, else the multipart/alternative), level 1
	// the alternative inside the mixed, level 2 the multipart/signed around
	// them when the message is S/MIME-signed. nil means fresh random ones
	// of the form "=_" and 32 hex digits, a string that quoted-printable
	// and base64 content can never contain. Tests pin it for reproducible
	// output.
	Boundary func(level int) string
}

// TransportConfig says where a Mailer without an Outbox transmits its
// messages: through Use when set, else the SMTP server of SMTP, else the
// URL, else the URL in the variable MAILTRAIL_SMTP_URL. With none of them
// [New] fails with [ErrNoTransport]: a library does not guess where mail
// goes. The zero value reads MAILTRAIL_SMTP_URL.
type TransportConfig struct {
	// Use, when set, transmits the messages, such as a [FileTransport]
	// or one shared by several Mailers; it is closed by Mailer.Close.
	Use Transport
	// SMTP is the server to send through, used when Use is nil.
	SMTP *SMTPConfig
	// URL is used when Use and SMTP are nil: an SMTP URL such as
	// "smtp://user:pass@mail.example.com:587" (see [ParseSMTPURL]), or a
	// file: URL, "file:./mail", for a FileTransport into that folder (see
	// [OpenTransport]). "" means the variable MAILTRAIL_SMTP_URL, which
	// may hold either form too.
	URL string
	// Getenv reads MAILTRAIL_SMTP_URL; nil means os.Getenv. Tests set
	// it to keep the process's environment out.
	Getenv func(string) string
}

// Hooks are called by [Mailer.Send] and [Mailer.Deliver] around each
// delivery. A nil hook is not called.
type Hooks struct {
	// BeforeSend is called with each rendered message before delivery;
	// it may veto or redirect it (see [BeforeSendFunc], [Redirect]).
	BeforeSend BeforeSendFunc
	// AfterSend is called after each delivery attempt, with its outcome
	// (see [AfterSendFunc], [LogSend]).
	AfterSend AfterSendFunc
}

// ErrNoTransport is the error of New when the Config says nowhere for
// messages to go: no Outbox, no Transport.Use, Transport.SMTP or
// Transport.URL, and no MAILTRAIL_SMTP_URL. Its text says how to choose.
var ErrNoTransport = errors.New("mailer: config: no transport chosen")

// open picks the transport of c: Use, SMTP, URL, then the environment;
// with none of them, ErrNoTransport. A file transport's names follow now.
func (c TransportConfig) open(log *slog.Logger, now func() time.Time) (Transport, error) {
	if c.Use != nil {
		return c.Use, nil
	}
	if c.SMTP != nil {
		sc := *c.SMTP // don't modify the caller's view
		if err := sc.validate(); err != nil {
			return nil, err
		}
		return NewSMTPTransport(&sc, log), nil
	}
	raw, fromEnv := strings.TrimSpace(c.URL), false
	if raw == "" {
		getenv := c.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		raw, fromEnv = strings.TrimSpace(getenv(EnvSMTPURL)), true
	}
	if raw == "" {
		return nil, fmt.Errorf("%w: set Transport.URL (or Transport.SMTP, or %s) such as smtp://user:pass@mail.example.com:587 to send, "+
			"Transport.URL \"file:DIR\" or Transport.Use (NewFileTransport) to write .eml files into a folder, or Outbox to enqueue", ErrNoTransport, EnvSMTPURL)
	}
	t, err := OpenTransport(raw, log)
	if err != nil {
		if fromEnv {
			err = fmt.Errorf("%s: %w", EnvSMTPURL, err)
		}
		return nil, err
	}
	if ft, ok := t.(*FileTransport); ok {
		ft.now = now
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

// formatListID checks a RenderConfig.ListID and returns the List-Id field value.
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
