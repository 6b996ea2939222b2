package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/mailtrail/mailtrail/mailer"
)

// sendOptions are send's flags: render's, plus where to send.
type sendOptions struct {
	renderOptions
	SMTP        string              // SMTP URL; "" means MAILTRAIL_SMTP_URL, then the local outbox
	Outbox      string              // the local outbox folder
	Concurrency int                 // batch mode: parallel connections
	BatchFlags  sendBatchFlagValues // batch mode: --report, --spool, --wait, --progress
}

const sendUsage = "--template T.md --data D.json --from APP@DOMAIN --to ADDR [--resource ID] [--locale L] [--cc ADDR]... [--bcc ADDR]... [--header \"Name: value\"]... [--layout FILE] [--brand FILE] [--attach FILE]... [--smtp URL]"

const sendExample = `mailtrail send --template testdata/vehicle-check.md --data testdata/vehicle-check.json --from fleet@example.com --to partner@example.net
  mailtrail send --template testdata/vehicle-check.md --data testdata/vehicle-check.json --from fleet@example.com --to partner@example.net --resource WO-42 --smtp smtp://user:pass@mail.example.com:587
  mailtrail send --template testdata/branded/invoice.md --data testdata/branded/invoice.json --from "Acme Fleet <accounts@acme-fleet.example>" --to garage@example.net --cc desk@example.net --bcc audit@example.org --brand testdata/branded/brand.yaml --layout my-layout.html`

// runSend renders and sends one message (or, with --batch, many): over
// SMTP when --smtp or MAILTRAIL_SMTP_URL says where, else into ./outbox.
// It prints the resource id and the Message-ID, and where the message went.
func runSend(ctx context.Context, e *env, args []string) error {
	var o sendOptions
	fs := newFlags(e, "send", sendUsage, sendExample)
	renderFlags(fs, &o.renderOptions)
	fs.StringVar(&o.SMTP, "smtp", "", "SMTP server `URL` (smtp://user:pass@host:587, smtps://…, smtp+insecure://…); default $MAILTRAIL_SMTP_URL, else the local outbox")
	fs.StringVar(&o.Outbox, "outbox", mailer.DefaultFileDir, "`DIR` for .eml files when no SMTP server is configured")
	fs.StringVar(&o.Batch, "batch", "", "send one message per record of `records.jsonl` ({\"to\":…, \"resource\":…, \"data\":{…}})")
	fs.IntVar(&o.Concurrency, "concurrency", 1, "batch mode: `N` connections in parallel")
	sendBatchFlags(fs, &o.BatchFlags)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := renderCheck(&o.renderOptions, false); err != nil {
		return err
	}
	if o.Concurrency < 1 {
		return usagef("--concurrency must be at least 1")
	}
	cfg, name, err := sendMailerConfig(e, &o)
	if err != nil {
		return err
	}
	if o.Batch != "" {
		return sendBatch(ctx, e, &o, cfg, name)
	}
	m, err := mailer.New(cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	msg, err := renderMessage(e, &o.renderOptions, name)
	if err != nil {
		return err
	}
	rc, err := m.Send(ctx, msg)
	if err != nil {
		if rc != nil {
			// The ids of the message that failed: needed to look for it, or
			// to tell a partner, when the outcome is unknown or partial.
			return fmt.Errorf("resource %s, message-id %s: %w", rc.Resource, rc.MessageID, err)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "resource:   %s\n", rc.Resource)
	fmt.Fprintf(e.stdout, "message-id: %s\n", rc.MessageID)
	if rc.Path != "" {
		fmt.Fprintf(e.stdout, "written:    %s (no SMTP server configured: set MAILTRAIL_SMTP_URL or --smtp to send)\n", rc.Path)
	} else {
		plural := "s"
		if len(rc.Recipients) == 1 {
			plural = ""
		}
		fmt.Fprintf(e.stdout, "sent:       %s (%d recipient%s)\n", cfg.SMTP.Redacted(), len(rc.Recipients), plural)
	}
	return nil
}

// sendMailerConfig is render's configuration plus the destination: --smtp,
// else MAILTRAIL_SMTP_URL, else the outbox. A bad SMTP URL is a usage
// error (exit 2); its text never shows the password.
func sendMailerConfig(e *env, o *sendOptions) (mailer.Config, string, error) {
	cfg, name, err := renderMailerConfig(e, &o.renderOptions)
	if err != nil {
		return cfg, "", err
	}
	var smtp *mailer.SMTPConfig
	if o.SMTP != "" {
		smtp, err = mailer.ParseSMTPURL(o.SMTP)
	} else {
		smtp, err = mailer.SMTPConfigFromEnv(e.getenv)
	}
	switch {
	case errors.Is(err, mailer.ErrNoSMTP):
		cfg.Transport = mailer.NewFileTransport(o.Outbox, cfg.Logger)
	case err != nil:
		return cfg, "", &exitError{code: 2, err: err}
	default:
		cfg.SMTP = smtp
	}
	return cfg, name, nil
}
