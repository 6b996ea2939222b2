package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/internal/webview"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// sinkOptions are the flags of "mailtrail sink".
type sinkOptions struct {
	Listen      string // SMTP address
	Dir         string // where .eml files go
	UI          string // web view address; "" for none
	From        string // APP@DOMAIN messages are traced for; "" guesses
	AllowPublic bool
	MaxSize     int64         // largest message accepted
	MaxConns    int           // open connections, SMTP and web view each
	Idle        time.Duration // a connection silent this long is closed
	Trust       string        // --smime-trust FILE; "" for the system's roots
}

// Default limits of the sink. The size is the parse limit of inbound
// messages: what the sink accepts, trace and inspect can read.
const (
	sinkMaxSize  = inbound.DefaultMaxSize
	sinkMaxConns = 100
	sinkIdle     = 5 * time.Minute // RFC 5321 section 4.5.3.2.7
)

const sinkUsage = "--listen ADDR --dir DIR [--ui ADDR] [--from APP@DOMAIN] [--smime-trust FILE] [--max-size SIZE] [--max-conns N] [--idle-timeout D] [--allow-public]"

const sinkExample = `mailtrail sink --listen 127.0.0.1:8025 --dir ./sink --ui 127.0.0.1:8026
  # then: mailtrail send ... --smtp smtp+insecure://127.0.0.1:8025`

// runSink runs a development SMTP server that accepts every message, saves
// it as an .eml file and prints one line about it, until ctx is done.
func runSink(ctx context.Context, e *env, args []string) error {
	var o sinkOptions
	fs := newFlags(e, "sink", sinkUsage, sinkExample)
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:8025", "SMTP `address` to accept mail on (loopback unless --allow-public)")
	fs.StringVar(&o.Dir, "dir", "", "`folder` to save each message in as an .eml file (created if missing)")
	fs.StringVar(&o.UI, "ui", "", "also serve a web view of the messages on this `address`, e.g. 127.0.0.1:8026")
	fs.StringVar(&o.From, "from", "", "trace messages for this application `address` (APP@DOMAIN); default: guessed from each message's Reply-To")
	fs.StringVar(&o.Trust, "smime-trust", "", smimeTrustUsage+"; a signed message's line says whether it verifies")
	fs.BoolVar(&o.AllowPublic, "allow-public", false, "allow listening on an address that is not loopback (the sink accepts mail from anyone who can reach it)")
	o.MaxSize = sinkMaxSize
	fs.Var(sizeFlag{&o.MaxSize}, "max-size", "refuse a message larger than `SIZE` with 552 (e.g. 50MiB)")
	fs.IntVar(&o.MaxConns, "max-conns", sinkMaxConns, "accept at most `N` connections at once on SMTP (more get 421) and on the web view")
	fs.DurationVar(&o.Idle, "idle-timeout", sinkIdle, "close a connection that sends nothing for `D`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if o.MaxConns <= 0 || o.Idle <= 0 {
		return usagef("--max-conns and --idle-timeout must be positive")
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if o.Dir == "" {
		return usagef("--dir is required")
	}
	return sinkRun(ctx, e, o, nil)
}

// sinkRun runs the sink. ready, when not nil, is told the addresses actually
// listened on (tests listen on port 0).
func sinkRun(ctx context.Context, e *env, o sinkOptions, ready func(smtpAddr, uiAddr string)) error {
	app, err := sinkApp(e, o.From)
	if err != nil {
		return err
	}
	if !o.AllowPublic {
		for _, addr := range []string{o.Listen, o.UI} {
			if addr == "" {
				continue
			}
			if err := requireLoopback(ctx, addr, ""); err != nil {
				return err
			}
		}
	}
	mb, err := webview.OpenMailbox(o.Dir)
	if err != nil {
		return err
	}
	defer mb.Close()
	srv, err := sinkListen(e, o, mb, app)
	if err != nil {
		return err
	}
	defer srv.Close()
	ui, err := sinkStartUI(ctx, e, o, mb, app)
	if err != nil {
		return err
	}
	defer ui.close()
	fmt.Fprintln(e.stderr, "sink: press Ctrl-C to stop")
	if ready != nil {
		ready(srv.Addr(), ui.addr)
	}
	return sinkWait(ctx, e, srv, ui.done)
}

// sinkApp is the application of --from; nil without it (each message's
// Reply-To is guessed from).
func sinkApp(e *env, from string) (*identity.App, error) {
	if from == "" {
		return nil, nil
	}
	a, err := appFlag(e, from)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// sinkListen starts the SMTP server, which saves every message in mb and
// prints its line.
func sinkListen(e *env, o sinkOptions, mb *webview.Mailbox, app *identity.App) (*mailtest.Server, error) {
	authOpts, err := authOptions(o.Trust)
	if err != nil {
		return nil, err
	}
	out := &sinkPrinter{w: e.stdout, errw: e.stderr, mb: mb, app: app, now: time.Now, auth: authOpts}
	srv, err := mailtest.Listen(o.Listen, mailtest.DiscardMessages(), mailtest.Deliver(out.received),
		mailtest.MaxMessageBytes(o.MaxSize), mailtest.MaxConnections(o.MaxConns), mailtest.IdleTimeout(o.Idle))
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.Listen, err)
	}
	fmt.Fprintf(e.stderr, "sink: accepting mail on %s (smtp+insecure://%s), saving to %s\n", srv.Addr(), srv.Addr(), o.Dir)
	return srv, nil
}

// sinkUI is the sink's web view, serving in the background.
type sinkUI struct {
	addr string        // "" without a web view
	done chan error    // what serving ended with; nil without a web view: never ready
	view *webview.Sink // nil without a web view
}

// sinkStartUI starts the web view of mb on --ui, if any.
func sinkStartUI(ctx context.Context, e *env, o sinkOptions, mb *webview.Mailbox, app *identity.App) (*sinkUI, error) {
	ui := &sinkUI{}
	if o.UI == "" {
		return ui, nil
	}
	view, err := webview.NewSink(webview.SinkOptions{Mailbox: mb, App: app})
	if err != nil {
		return nil, err
	}
	l, err := webview.Listen(ctx, o.UI, o.AllowPublic)
	if err != nil {
		view.Close()
		return nil, err
	}
	ui.view, ui.addr, ui.done = view, l.Addr().String(), make(chan error, 1)
	fmt.Fprintf(e.stderr, "sink: web view on http://%s/\n", ui.addr)
	so := &webview.ServeOptions{Names: []string{o.UI}, MaxConns: o.MaxConns, IdleTimeout: o.Idle}
	go func() { ui.done <- webview.ServeWith(ctx, l, view, so) }()
	return ui, nil
}

func (ui *sinkUI) close() {
	if ui.view != nil {
		ui.view.Close()
	}
}

// sinkWait waits until ctx is done (and the web view has stopped) or the
// web view fails on its own, then stops the SMTP server.
func sinkWait(ctx context.Context, e *env, srv *mailtest.Server, uiDone <-chan error) error {
	var uiErr error
	select {
	case <-ctx.Done():
		if uiDone != nil {
			uiErr = <-uiDone
		}
	case uiErr = <-uiDone: // the web view failed on its own
	}
	if err := srv.Close(); err != nil && uiErr == nil {
		uiErr = err
	}
	fmt.Fprintln(e.stderr, "sink: stopped")
	return uiErr
}

// sinkPrinter saves each received message and prints its line. Deliver
// calls it from several connections at once; a message it could not save
// is answered 451, so that the sender keeps it and retries.
type sinkPrinter struct {
	mu   sync.Mutex
	w    io.Writer
	errw io.Writer
	mb   *webview.Mailbox
	app  *identity.App
	now  func() time.Time
	auth *inbound.AuthOptions
}

func (p *sinkPrinter) received(m mailtest.Message) error {
	name, err := p.mb.Save(m.Data, p.now())
	if err != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		fmt.Fprintf(p.errw, "sink: not saved, answered 451 (the sender will retry): from %s: %v\n", m.From, err)
		return err
	}
	line := sinkLine(m, name, webview.TraceMessage(m.Data, p.app))
	if a := m.Auth(context.Background(), p.auth); a.SMIME != inbound.AuthNone || a.DKIM != inbound.AuthNone {
		line += sinkAuth(a)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w, line)
	return nil
}

// sinkLine describes one message on one line: envelope sender and
// recipients, subject, traced resource and file name.
func sinkLine(m mailtest.Message, file string, tr webview.Traced) string {
	subject := sinkSubject(m.Data)
	resource := "-"
	if tr.Resource != "" {
		resource = tr.Resource + " (" + tr.Source
		if !tr.Exact {
			resource += ", not exact"
		}
		resource += ")"
	}
	from := m.From
	if from == "" {
		from = "<>"
	}
	return fmt.Sprintf("from %s to %s subject %q resource %s file %s",
		from, strings.Join(m.To, ","), subject, resource, file)
}

// sinkAuth describes the signatures of a signed message, for its line:
// " signed s/mime pass dkim none by fleet@example.com".
func sinkAuth(a inbound.Auth) string {
	s := fmt.Sprintf(" signed s/mime %s dkim %s", a.SMIME, a.DKIM)
	if a.Signer != "" {
		s += " by " + a.Signer
	}
	if a.Reason != "" {
		s += fmt.Sprintf(" (%s)", a.Reason)
	}
	return s
}

// sinkSubject returns the decoded Subject of a raw message.
func sinkSubject(raw []byte) string {
	s, err := webview.Subject(raw)
	if err != nil {
		return ""
	}
	return shorten(s, sinkSubjectMax)
}

// sinkSubjectMax is the most characters of a subject a sink line shows: a
// hostile subject folded over a million lines stays one readable line.
const sinkSubjectMax = 200

// shorten returns s cut to at most max characters, with "…" in place of
// what was cut.
func shorten(s string, max int) string {
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
