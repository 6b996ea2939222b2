package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/imap"
	"github.com/mailtrail/mailtrail/inbound/reply"
)

const inboxExample = `
export MAILTRAIL_IMAP_URL='imaps://backoffice%40example.com:PASSWORD@imap.example.com'   # a variable: the password stays out of the process list
  mailtrail inbox --from backoffice@example.com
  mailtrail inbox --from backoffice@example.com --watch --exec ./on-reply.sh   # the handler may use $MAILTRAIL_KEY unquoted`

// inboxOptions are the flags of mailtrail inbox.
type inboxOptions struct {
	url       string
	from      string
	mailbox   string
	processed string
	failed    string
	watch     bool
	execCmd   string
	execLimit time.Duration
	msgLimit  time.Duration
	trust     string
	move      string
	proxy     string
	ledger    string
	interval  time.Duration
	verbose   bool
}

// runInbox processes an IMAP mailbox once (or, with --watch, until
// interrupted): every message is traced to its resource and filed in the
// processed or failed folder. One line per message goes to stdout:
//
//	UID <TAB> from <TAB> "subject" <TAB> resource or - <TAB> outcome [<TAB> why]
//
// Without --exec a message is processed when it traces to a resource and
// failed otherwise. With --exec, CMD (run by sh -c) gets the message as
// JSON on stdin, and its exit status decides: 0 processed, anything else
// failed. Exit status: 0 when the mailbox was gone through (failed messages
// included), 1 when the server could not be reached or refused the login,
// 2 for bad flags or a bad URL.
func runInbox(ctx context.Context, e *env, args []string) error {
	var o inboxOptions
	fs := newFlags(e, "inbox", "--imap URL --from APP@DOMAIN [--processed F] [--failed F] [--watch] [--exec CMD]", inboxExample)
	fs.StringVar(&o.url, "imap", "", "IMAP URL: imaps://host[:993], imap://… (STARTTLS) or imap+insecure://… (loopback only);\ndefault $MAILTRAIL_IMAP_URL. A URL with a password (imaps://user:PASSWORD@host) belongs in MAILTRAIL_IMAP_URL, never in this flag: the process list shows flags")
	fs.StringVar(&o.from, "from", "", "the application's address APP@DOMAIN, to trace replies (required)")
	fs.StringVar(&o.mailbox, "mailbox", "INBOX", "mailbox to process")
	fs.StringVar(&o.processed, "processed", "processed", "folder for handled messages (created when missing)")
	fs.StringVar(&o.failed, "failed", "failed", "folder for messages that failed (created when missing)")
	fs.BoolVar(&o.watch, "watch", false, "keep running: wait for new mail with IDLE (or poll) until interrupted")
	fs.StringVar(&o.execCmd, "exec", "", "run CMD (with sh -c) for each message, the message as JSON on stdin; exit 0 means processed.\nCMD's environment: MAILTRAIL_UID, MAILTRAIL_KEY (the SHA-256 of the message's key, in hex: safe unquoted; the raw key is \"key\" in the JSON), MAILTRAIL_RESOURCE")
	fs.DurationVar(&o.execLimit, "exec-timeout", 5*time.Minute, "longest a CMD may run for one message")
	fs.DurationVar(&o.msgLimit, "message-timeout", imap.DefaultMessageTimeout, "longest the work on one message may take (parsing, tracing and CMD); past it the message is failed")
	fs.StringVar(&o.trust, "smime-trust", "", smimeTrustUsage+`; the JSON's "auth" says what the signatures say`)
	fs.StringVar(&o.move, "move", "auto", "how to move: auto (UID MOVE when offered) or copy (COPY + \\Deleted + EXPUNGE)")
	fs.StringVar(&o.proxy, "proxy", "", "connect through this HTTP CONNECT proxy (http://host:port)")
	fs.StringVar(&o.ledger, "ledger", "", "file recording handled Message-IDs, so a message handled but not moved is not handled twice")
	fs.DurationVar(&o.interval, "interval", time.Minute, "with --watch, how often to look when the server has no IDLE")
	fs.BoolVar(&o.verbose, "v", false, "log connection events to stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if o.url == "" {
		o.url = e.getenv("MAILTRAIL_IMAP_URL")
	}
	if o.url == "" {
		return usagef("no IMAP URL: set MAILTRAIL_IMAP_URL=imaps://user:PASSWORD@host:993 (or give --imap without a password)")
	}
	if o.from == "" {
		return usagef("--from APP@DOMAIN is required: replies are traced to the application's address")
	}
	app, err := appFlag(e, o.from)
	if err != nil {
		return err
	}

	p := &imap.Poller{
		URL:            o.url,
		ProxyURL:       o.proxy,
		Mailbox:        o.mailbox,
		Processed:      o.processed,
		Failed:         o.failed,
		App:            app,
		PollInterval:   o.interval,
		MessageTimeout: o.msgLimit,
	}
	switch o.move {
	case "auto":
		p.MoveMode = imap.MoveAuto
	case "copy":
		p.MoveMode = imap.MoveCopyDelete
	default:
		return usagef("--move %q: want auto or copy", o.move)
	}
	if err := p.Check(); err != nil {
		return usagef("%v", err)
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	p.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	if o.ledger != "" {
		l, err := imap.OpenFileLedger(o.ledger)
		if err != nil {
			return err
		}
		defer l.Close()
		p.Ledger = l
	}

	var mu sync.Mutex // Filed runs on the polling goroutine; keep it simple anyway
	var processed, failed int
	p.Filed = func(m *imap.Mail) {
		mu.Lock()
		defer mu.Unlock()
		if m.Outcome == imap.OutcomeProcessed {
			processed++
		} else {
			failed++
		}
		fmt.Fprintln(e.stdout, inboxLine(m))
	}

	handler := inboxTraced
	if o.execCmd != "" {
		authOpts, err := authOptions(o.trust)
		if err != nil {
			return err
		}
		handler = func(ctx context.Context, m *imap.Mail) error {
			return inboxExec(ctx, e, o.execCmd, o.execLimit, m, authOpts)
		}
	}
	if o.watch {
		err = p.Watch(ctx, handler)
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			err = nil // interrupted: the normal way to stop watching
		}
	} else {
		err = p.Poll(ctx, handler)
	}
	mu.Lock()
	fmt.Fprintf(e.stderr, "mailtrail inbox: %d processed, %d failed\n", processed, failed)
	mu.Unlock()
	if errors.Is(err, imap.ErrConfig) {
		return usagef("%v", err)
	}
	return err
}

// inboxTraced is the handler without --exec: a message is processed when
// it traces to a resource.
func inboxTraced(_ context.Context, m *imap.Mail) error {
	if m.Trace == nil {
		if m.TraceErr != nil {
			return m.TraceErr
		}
		return identity.ErrNotFound
	}
	return nil
}

// inboxLine formats one message's line.
func inboxLine(m *imap.Mail) string {
	from, subject := "-", ""
	if m.Message != nil {
		if m.Message.From != "" {
			from = m.Message.From
		}
		subject = m.Message.Subject()
	}
	resource := "-"
	if m.Trace != nil {
		resource = m.Trace.Resource
	}
	line := fmt.Sprintf("%d\t%s\t%q\t%s\t%s", m.UID, inboxClean(from), subject, inboxClean(resource), m.Outcome)
	if m.Err != nil {
		line += "\t" + inboxClean(m.Err.Error())
	}
	return line
}

// inboxClean keeps a field on one line of its column.
func inboxClean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// inboxMessage is the JSON a --exec command reads on stdin.
type inboxMessage struct {
	Mailbox     string       `json:"mailbox"`
	UIDValidity uint32       `json:"uidvalidity"`
	UID         uint32       `json:"uid"`
	Key         string       `json:"key"`     // Message-ID, or sha256 of the message: the idempotency key (MAILTRAIL_KEY is its SHA-256 in hex)
	Message     any          `json:"message"` // the ASGI email shape (inbound.Message.ASGI)
	Reply       *inboxReply  `json:"reply"`   // what the sender said: text without quotes, data, attachments
	Trace       *inboxTrace  `json:"trace"`   // null when no resource was found
	Auth        inbound.Auth `json:"auth"`    // what the S/MIME and DKIM signatures say
	TraceError  string       `json:"trace_error,omitempty"`
}

type inboxTrace struct {
	Resource string          `json:"resource"`
	Source   identity.Source `json:"source"`
	Exact    bool            `json:"exact"`
	Sender   string          `json:"sender"`
	Kind     inbound.Kind    `json:"kind"`
}

// inboxExec runs cmd for m and turns its exit status into the outcome.
func inboxExec(ctx context.Context, e *env, cmdline string, limit time.Duration, m *imap.Mail, authOpts *inbound.AuthOptions) error {
	in := inboxMessage{
		Mailbox: m.Mailbox, UIDValidity: m.UIDValidity, UID: m.UID, Key: m.Key,
		Message: inboxASGI(m.Message), Reply: inboxReplyOf(m.Message),
		Auth: inbound.VerifyAuth(ctx, m.Raw, authOpts),
	}
	if t := m.Trace; t != nil {
		in.Trace = &inboxTrace{Resource: t.Resource, Source: t.Source, Exact: t.Exact, Sender: t.Sender, Kind: t.Kind}
	} else if m.TraceErr != nil {
		in.TraceError = m.TraceErr.Error()
	}
	data, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	msgCtx := ctx
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", cmdline)
	cmd.Stdin = bytes.NewReader(append(data, '\n'))
	var stderr bytes.Buffer
	out := &inboxLocked{w: e.stderr} // the command's two streams are copied concurrently
	cmd.Stdout = out                 // our stdout is the one-line-per-message report
	cmd.Stderr = io.MultiWriter(out, &inboxTail{buf: &stderr})
	// The environment carries only values safe to use unquoted in a
	// shell: the key is chosen by the sender (its Message-ID), so it comes
	// hashed; the raw key is "key" in the JSON.
	cmd.Env = append(os.Environ(),
		fmt.Sprintf("MAILTRAIL_UID=%d", m.UID),
		"MAILTRAIL_KEY="+inboxKeyHash(m.Key),
		"MAILTRAIL_RESOURCE="+shellSafe(resourceOf(m)),
	)
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if msgCtx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("--exec: no exit before the message's deadline (--message-timeout): %w", msgCtx.Err())
		}
		if ctx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("--exec: no exit after %v", limit)
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
				msg = msg[i+1:]
			}
			return fmt.Errorf("--exec: %v: %s", err, msg)
		}
		return fmt.Errorf("--exec: %w", err)
	}
	return nil
}

// inboxKeyHash is the SHA-256 of a message key in hex: the same key gives
// the same value, and it holds no character a shell would expand.
func inboxKeyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// shellSafe returns s when it holds only letters, digits and "._-" (as
// resource ids do), else "".
func shellSafe(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return ""
		}
	}
	return s
}

func resourceOf(m *imap.Mail) string {
	if m.Trace != nil {
		return m.Trace.Resource
	}
	return ""
}

// inboxLocked serializes writes to w.
type inboxLocked struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *inboxLocked) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// inboxTail keeps the last 4 KiB written, for the failure reason.
type inboxTail struct{ buf *bytes.Buffer }

func (t *inboxTail) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if t.buf.Len() > 4096 {
		b := t.buf.Bytes()[t.buf.Len()-4096:]
		nb := append([]byte(nil), b...)
		t.buf.Reset()
		t.buf.Write(nb)
	}
	return len(p), nil
}

// inboxASGI is the message in the shape of the ASGI email draft.
func inboxASGI(m *inbound.Message) any {
	if m == nil {
		return nil
	}
	return m.ASGI()
}

// inboxReply is what the sender said, as reply.Parse reads it.
type inboxReply struct {
	Text        string            `json:"text"`
	Data        map[string]any    `json:"data"` // null when the reply holds no structured data
	DataType    string            `json:"data_type,omitempty"`
	Attachments []inboxAttachment `json:"attachments"`
}

type inboxAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

func inboxReplyOf(m *inbound.Message) *inboxReply {
	if m == nil {
		return nil
	}
	r := reply.Parse(m)
	out := &inboxReply{Text: r.Text, Data: r.Data, DataType: r.DataType, Attachments: []inboxAttachment{}}
	for _, a := range r.Attachments {
		out.Attachments = append(out.Attachments, inboxAttachment{a.Filename, a.ContentType, a.Size})
	}
	return out
}
