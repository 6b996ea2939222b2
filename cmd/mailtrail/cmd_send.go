package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/mailtrail/mailtrail/mailer"
)

// sendOptions are send's flags: render's, plus where to send.
type sendOptions struct {
	renderOptions
	SMTP        string              // transport URL; "" means MAILTRAIL_SMTP_URL, then file:./mail
	Outbox      string              // the durable outbox's URL; "" means MAILTRAIL_OUTBOX_URL
	Concurrency int                 // batch mode: parallel connections
	BatchFlags  sendBatchFlagValues // batch mode: --report, --wait, --progress

	fileFallback bool // no transport configured: file:./mail
}

const sendUsage = "--template T.md --data D.json --from APP@DOMAIN --to ADDR [--resource ID] [--locale L] [--cc ADDR]... [--bcc ADDR]... [--header \"Name: value\"]... [--layout FILE] [--brand FILE] [--attach FILE]... [--smtp URL] [--outbox DIR|URL] [--batch F.jsonl]"

const sendExample = `mailtrail send --template testdata/vehicle-check.md --data testdata/vehicle-check.json --from fleet@example.com --to partner@example.net
  MAILTRAIL_SMTP_URL=smtp://user:pass@mail.example.com:587 mailtrail send --template testdata/vehicle-check.md --data testdata/vehicle-check.json --from fleet@example.com --to partner@example.net --resource WO-42
  mailtrail send --template testdata/vehicle-check.md --data testdata/vehicle-check.json --from fleet@example.com --to partner@example.net --outbox ./outbox   # enqueue; "mailtrail worker --outbox ./outbox" delivers
  mailtrail send --template testdata/branded/invoice.md --data testdata/branded/invoice.json --from "Acme Fleet <accounts@acme-fleet.example>" --to garage@example.net --cc desk@example.net --bcc audit@example.org --brand testdata/branded/brand.yaml --layout my-layout.html`

// runSend renders and sends one message (or, with --batch, many): over
// SMTP when --smtp or MAILTRAIL_SMTP_URL says where, else into ./mail as
// .eml files; with --outbox (or MAILTRAIL_OUTBOX_URL) it only enqueues
// into that outbox, for workers to deliver. It prints the resource id and
// the Message-ID, and where the message went.
func runSend(ctx context.Context, e *env, args []string) error {
	o, err := sendParse(e, args)
	if err != nil {
		return err
	}
	cfg, name, err := sendMailerConfig(e, o)
	if err != nil {
		return err
	}
	if o.Batch != "" {
		return sendBatch(ctx, e, o, cfg, name)
	}
	if raw := outboxURL(e, o.Outbox); raw != "" && raw != "none" {
		ob, err := openOutbox(ctx, raw, outboxOpenOptions{Logger: cfg.Logger})
		if err != nil {
			return err
		}
		defer ob.Close()
		cfg.Outbox = ob
	}
	rc, err := sendOne(ctx, e, o, cfg, name)
	if err != nil {
		return err
	}
	sendPrint(e, o, cfg, rc)
	return nil
}

// sendParse reads send's flags and checks them.
func sendParse(e *env, args []string) (*sendOptions, error) {
	var o sendOptions
	fs := newFlags(e, "send", sendUsage, sendExample)
	renderFlags(fs, &o.renderOptions)
	fs.StringVar(&o.SMTP, "smtp", "", "transport `URL`: smtp://host:587, smtps://…, smtp+insecure://…, or file:DIR for .eml files; default $MAILTRAIL_SMTP_URL, else file:./mail (put passwords in the variable)")
	outboxFlag(fs, &o.Outbox, "the durable outbox to enqueue into: a `DIR` (or file:DIR) or postgres://…; default $MAILTRAIL_OUTBOX_URL; with --batch and neither, BATCH.outbox delivered from here; \"none\": send directly")
	fs.StringVar(&o.Batch, "batch", "", "send one message per record of `records.jsonl` ({\"to\":…, \"resource\":…, \"data\":{…}})")
	fs.IntVar(&o.Concurrency, "concurrency", 1, "batch mode: `N` connections in parallel")
	sendBatchFlags(fs, &o.BatchFlags)
	if err := parseArgs(fs, args, 0); err != nil {
		return nil, err
	}
	if err := renderCheck(&o.renderOptions, false); err != nil {
		return nil, err
	}
	if o.Concurrency < 1 {
		return nil, usagef("--concurrency must be at least 1")
	}
	return &o, nil
}

// sendOne renders the message of o and sends it with a Mailer of cfg.
func sendOne(ctx context.Context, e *env, o *sendOptions, cfg mailer.Config, name string) (*mailer.Receipt, error) {
	m, err := mailer.New(cfg)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	msg, err := renderMessage(e, &o.renderOptions, name)
	if err != nil {
		return nil, err
	}
	rc, err := m.Send(ctx, msg)
	if err != nil {
		if rc != nil {
			// The ids of the message that failed: needed to look for it, or
			// to tell a partner, when the outcome is unknown or partial.
			return nil, fmt.Errorf("resource %s, message-id %s: %w", rc.Resource, rc.MessageID, err)
		}
		return nil, err
	}
	return rc, nil
}

// sendPrint prints the ids of the message sent and where it went.
func sendPrint(e *env, o *sendOptions, cfg mailer.Config, rc *mailer.Receipt) {
	fmt.Fprintf(e.stdout, "resource:   %s\n", rc.Resource)
	fmt.Fprintf(e.stdout, "message-id: %s\n", rc.MessageID)
	switch {
	case rc.OutboxID != "":
		fmt.Fprintf(e.stdout, "enqueued:   %s (outbox %s; \"mailtrail worker\" delivers it)\n", rc.OutboxID, redactURL(outboxURL(e, o.Outbox)))
	case rc.Path != "" && o.fileFallback:
		fmt.Fprintf(e.stdout, "written:    %s (no SMTP server configured: set MAILTRAIL_SMTP_URL or --smtp to send)\n", rc.Path)
	case rc.Path != "":
		fmt.Fprintf(e.stdout, "written:    %s\n", rc.Path)
	default:
		plural := "s"
		if len(rc.Recipients) == 1 {
			plural = ""
		}
		fmt.Fprintf(e.stdout, "sent:       %s (%d recipient%s)\n", cfg.Transport.SMTP.Redacted(), len(rc.Recipients), plural)
	}
}

// sendMailerConfig is render's configuration plus the transport: --smtp,
// else MAILTRAIL_SMTP_URL, else file:./mail. A bad URL is a usage error
// (exit 2); its text never shows the password.
func sendMailerConfig(e *env, o *sendOptions) (mailer.Config, string, error) {
	cfg, name, err := renderMailerConfig(e, &o.renderOptions)
	if err != nil {
		return cfg, "", err
	}
	raw := strings.TrimSpace(o.SMTP)
	if raw == "" {
		raw = strings.TrimSpace(e.getenv(mailer.EnvSMTPURL))
	}
	if raw == "" {
		o.fileFallback = true
		raw = "file:" + mailer.DefaultFileDir
	}
	if strings.HasPrefix(strings.ToLower(raw), "file:") {
		tr, err := mailer.OpenTransport(raw, cfg.Logger)
		if err != nil {
			return cfg, "", &exitError{code: 2, err: err}
		}
		cfg.Transport.Use = tr
		return cfg, name, nil
	}
	smtp, err := mailer.ParseSMTPURL(raw)
	if err != nil {
		if o.SMTP == "" {
			err = fmt.Errorf("%s: %w", mailer.EnvSMTPURL, err)
		}
		return cfg, "", &exitError{code: 2, err: err}
	}
	cfg.Transport.SMTP = smtp
	return cfg, name, nil
}
