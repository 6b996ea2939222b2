package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/outbox"
)

// envOutboxURL names the variable that stands for --outbox.
const envOutboxURL = "MAILTRAIL_OUTBOX_URL"

// outboxFlag registers --outbox and its older name --spool on fs.
func outboxFlag(fs *flag.FlagSet, v *string, usage string) {
	fs.StringVar(v, "outbox", "", usage)
	fs.StringVar(v, "spool", "", "the same as --outbox (its older name)")
}

// outboxURL is the outbox a command was given: the flag's value, else
// MAILTRAIL_OUTBOX_URL; "" when neither is set.
func outboxURL(e *env, flagValue string) string {
	if v := strings.TrimSpace(flagValue); v != "" {
		return v
	}
	return strings.TrimSpace(e.getenv(envOutboxURL))
}

// outboxOpenOptions says what a store is opened for.
type outboxOpenOptions struct {
	// Transport delivers, for a store that is run here (send --batch,
	// worker); nil when the store only enqueues or is looked after.
	Transport   mailer.Transport
	Concurrency int           // deliveries at once; zero: the store's default
	Rules       outbox.Rules  // zero: the defaults
	Logger      *slog.Logger  // nil: slog.Default()
	RescueAfter time.Duration // PostgreSQL: zero means 15 minutes
}

// openOutbox opens the outbox that raw names: a folder (a path, or a
// file: URL) for the folder store, or postgres://… for the PostgreSQL
// store. A URL that cannot be used is a usage error (exit 2) whose text
// never holds a password.
func openOutbox(ctx context.Context, raw string, o outboxOpenOptions) (outbox.Store, error) {
	kind, dir, err := parseOutboxURL(raw)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	switch kind {
	case "folder":
		return outbox.OpenFolder(dir, &outbox.FolderOptions{
			Transport:   o.Transport,
			Concurrency: o.Concurrency,
			Rules:       o.Rules,
			Logger:      o.Logger,
		})
	case "postgres":
		return openPostgresOutbox(ctx, raw, o)
	}
	return nil, &exitError{code: 2, err: fmt.Errorf("outbox %s: unsupported", redactURL(raw))}
}

// parseOutboxURL says which store raw names, and for the folder store its
// folder: a plain path, "file:DIR" or "file:///DIR".
func parseOutboxURL(raw string) (kind, dir string, err error) {
	if raw == "" {
		return "", "", fmt.Errorf("outbox: empty URL: want a folder, file:DIR or postgres://…")
	}
	i := strings.Index(raw, ":")
	if i <= 1 || strings.ContainsAny(raw[:i], `/\.`) {
		return "folder", raw, nil // a path (a drive letter is not a scheme)
	}
	switch scheme := strings.ToLower(raw[:i]); scheme {
	case "file":
		u, err := url.Parse(raw)
		if err != nil {
			return "", "", fmt.Errorf("outbox %s: %w", raw, err)
		}
		dir = u.Opaque
		if dir == "" {
			dir = u.Path
		}
		if dir == "" || u.Host != "" && u.Host != "localhost" {
			return "", "", fmt.Errorf("outbox %s: want file:DIR or file:///DIR", raw)
		}
		return "folder", dir, nil
	case "postgres", "postgresql":
		return "postgres", "", nil
	default:
		return "", "", fmt.Errorf("outbox %s: unknown scheme %q: want a folder, file:DIR or postgres://…", redactURL(raw), scheme)
	}
}

// redactURL returns raw with any password replaced by "xxxxx".
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			if j := strings.Index(raw, "://"); j >= 0 && j < i {
				return raw[:j+3] + "xxxxx" + raw[i:]
			}
		}
		return raw
	}
	return u.Redacted()
}
