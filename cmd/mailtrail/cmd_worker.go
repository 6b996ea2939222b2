package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
)

// workerOptions are worker's flags.
type workerOptions struct {
	Outbox      string        // the outbox URL; "" means MAILTRAIL_OUTBOX_URL
	SMTP        string        // SMTP (or file:) URL; "" means MAILTRAIL_SMTP_URL, then ./mail
	Concurrency int           // messages delivered at once by this process
	RescueAfter time.Duration // PostgreSQL: when a send in flight counts as its worker's death
}

const workerUsage = "--outbox URL [--smtp URL] [--concurrency N]"

const workerExample = `MAILTRAIL_OUTBOX_URL=postgres://mailtrail@db.internal:5432/app MAILTRAIL_SMTP_URL=smtp://relay.internal:587 mailtrail worker --concurrency 4`

// runWorker delivers what the outbox holds until SIGINT or SIGTERM (ctx),
// then lets the sends in flight finish and exits 0. With the PostgreSQL
// store any number of workers, on any number of machines, share the queue;
// the folder store allows one at a time per folder.
func runWorker(ctx context.Context, e *env, args []string) error {
	var o workerOptions
	fs := newFlags(e, "worker", workerUsage, workerExample)
	outboxFlag(fs, &o.Outbox, "the outbox `URL` to deliver from: postgres://user@host:5432/db, or a folder (default $MAILTRAIL_OUTBOX_URL)")
	fs.StringVar(&o.SMTP, "smtp", "", "SMTP server `URL` (smtp://host:587, smtps://…, smtp+insecure://…, or file:DIR); default $MAILTRAIL_SMTP_URL, else the folder ./"+mailer.DefaultFileDir+
		".\nA URL with a password (smtp://user:PASSWORD@host:587) belongs in MAILTRAIL_SMTP_URL, never in this flag: the process list shows flags")
	fs.IntVar(&o.Concurrency, "concurrency", 2, "`N` messages delivered at once by this process, each over its own connection")
	fs.DurationVar(&o.RescueAfter, "rescue-after", 15*time.Minute, "PostgreSQL: a message in flight this long counts as its worker's death and is sent again by another (keep it well above the SMTP timeouts)")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if o.Concurrency < 1 {
		return usagef("--concurrency must be at least 1")
	}
	if o.RescueAfter < time.Second {
		return usagef("--rescue-after must be at least 1s")
	}
	raw := outboxURL(e, o.Outbox)
	if raw == "" {
		return usagef("--outbox (or %s) is required: the outbox to deliver from", envOutboxURL)
	}
	log := textLogger(e.stderr, slog.LevelWarn)
	tr, where, err := workerTransport(e, &o, log)
	if err != nil {
		return err
	}
	defer tr.Close()
	store, err := openOutbox(ctx, raw, outboxOpenOptions{
		Transport:   tr,
		Concurrency: o.Concurrency,
		RescueAfter: o.RescueAfter,
		Logger:      log,
	})
	if err != nil {
		return err
	}
	defer store.Close()
	fmt.Fprintf(e.stderr, "worker: delivering from %s to %s, %d at a time (Ctrl-C or SIGTERM stops)\n",
		redactURL(raw), where, o.Concurrency)
	if err := store.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "worker: stopped")
	return nil
}

// workerTransport is what the worker delivers with: --smtp, else
// MAILTRAIL_SMTP_URL, else the folder ./mail; and where that is, without
// a password. A bad URL is a usage error.
func workerTransport(e *env, o *workerOptions, log *slog.Logger) (mailer.Transport, string, error) {
	raw, from := o.SMTP, "--smtp"
	if raw == "" {
		raw, from = e.getenv(mailer.EnvSMTPURL), mailer.EnvSMTPURL
	}
	if raw == "" {
		fmt.Fprintf(e.stderr, "worker: no SMTP server configured (set %s or --smtp): writing messages to ./%s\n", mailer.EnvSMTPURL, mailer.DefaultFileDir)
		return mailer.NewFileTransport(mailer.DefaultFileDir, log), "./" + mailer.DefaultFileDir, nil
	}
	if strings.HasPrefix(strings.ToLower(raw), "file:") {
		tr, err := mailer.OpenTransport(raw, log)
		if err != nil {
			return nil, "", &exitError{code: 2, err: fmt.Errorf("%s: %w", from, err)}
		}
		return tr, raw, nil
	}
	cfg, err := mailer.ParseSMTPURL(raw) // its errors never show the password
	if err != nil {
		return nil, "", &exitError{code: 2, err: fmt.Errorf("%s: %w", from, err)}
	}
	cfg.MaxConns = o.Concurrency
	return mailer.NewSMTPTransport(cfg, log), cfg.Redacted(), nil
}
