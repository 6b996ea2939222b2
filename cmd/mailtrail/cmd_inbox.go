package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound/imap"
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
	o, err := inboxParse(e, args)
	if err != nil {
		return err
	}
	app, err := appFlag(e, o.from)
	if err != nil {
		return err
	}
	p, err := inboxPoller(e, o, app)
	if err != nil {
		return err
	}
	if o.ledger != "" {
		l, err := imap.OpenFileLedger(o.ledger)
		if err != nil {
			return err
		}
		defer l.Close()
		p.Ledger = l
	}
	tally := &inboxTally{w: e.stdout}
	p.Filed = tally.filed
	handler, err := inboxHandler(e, o)
	if err != nil {
		return err
	}
	if o.watch {
		err = p.Watch(ctx, handler)
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			err = nil // interrupted: the normal way to stop watching
		}
	} else {
		err = p.Poll(ctx, handler)
	}
	tally.report(e.stderr)
	if errors.Is(err, imap.ErrConfig) {
		return usagef("%v", err)
	}
	return err
}

// inboxParse reads inbox's flags and checks them; the URL comes from
// MAILTRAIL_IMAP_URL when --imap is not given.
func inboxParse(e *env, args []string) (*inboxOptions, error) {
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
	if err := parseArgs(fs, args, 0); err != nil {
		return nil, err
	}
	if o.url == "" {
		o.url = e.getenv("MAILTRAIL_IMAP_URL")
	}
	if o.url == "" {
		return nil, usagef("no IMAP URL: set MAILTRAIL_IMAP_URL=imaps://user:PASSWORD@host:993 (or give --imap without a password)")
	}
	if o.from == "" {
		return nil, usagef("--from APP@DOMAIN is required: replies are traced to the application's address")
	}
	return &o, nil
}

// inboxPoller makes the Poller of o, logging to standard error (with -v,
// the connection events too). A setting it refuses is a usage error.
func inboxPoller(e *env, o *inboxOptions, app identity.App) (*imap.Poller, error) {
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
		return nil, usagef("--move %q: want auto or copy", o.move)
	}
	if err := p.Check(); err != nil {
		return nil, usagef("%v", err)
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	p.Logger = textLogger(e.stderr, level)
	return p, nil
}

// inboxHandler decides each message's outcome: its trace, or with --exec
// the exit status of CMD.
func inboxHandler(e *env, o *inboxOptions) (imap.Handler, error) {
	if o.execCmd == "" {
		return inboxTraced, nil
	}
	authOpts, err := authOptions(o.trust)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, m *imap.Mail) error {
		return inboxExec(ctx, e, o.execCmd, o.execLimit, m, authOpts)
	}, nil
}

// inboxTally counts the messages filed and prints the line of each.
type inboxTally struct {
	mu                sync.Mutex // Filed runs on the polling goroutine; keep it simple anyway
	w                 io.Writer
	processed, failed int
}

// filed is the Poller's Filed.
func (t *inboxTally) filed(m *imap.Mail) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if m.Outcome == imap.OutcomeProcessed {
		t.processed++
	} else {
		t.failed++
	}
	fmt.Fprintln(t.w, inboxLine(m))
}

// report prints the counts on w.
func (t *inboxTally) report(w io.Writer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(w, "mailtrail inbox: %d processed, %d failed\n", t.processed, t.failed)
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
