package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/mailtrail/mailtrail/outbox"
)

const outboxUsage = "migrate|status|list|retry --outbox URL [flags]"

// runOutbox looks after an outbox, of either store: migrate (PostgreSQL:
// create or update its tables), status (how many messages each state
// holds), list (the failed or unknown ones, with the server's answer) and
// retry (queue them again, with the same bytes and Message-ID).
func runOutbox(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			printOutboxHelp(e.stdout)
			return nil
		}
		printOutboxHelp(e.stderr)
		return &exitError{code: 2}
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "migrate":
		return runOutboxMigrate(ctx, e, args)
	case "status":
		return runOutboxStatus(ctx, e, args)
	case "list":
		return runOutboxList(ctx, e, args)
	case "retry":
		return runOutboxRetry(ctx, e, args)
	case "help":
		printOutboxHelp(e.stdout)
		return nil
	}
	return usagef("unknown subcommand %q: want migrate, status, list or retry", sub)
}

func printOutboxHelp(w io.Writer) {
	fmt.Fprintln(w, "usage: mailtrail outbox "+outboxUsage)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "  migrate  create or update the PostgreSQL outbox's tables (run once per release, before the workers)")
	fmt.Fprintln(w, "  status   how many messages are queued, sent, failed and unknown [--json]")
	fmt.Fprintln(w, "  list     the messages in a state, with the server's answer: --state failed|unknown [--json]")
	fmt.Fprintln(w, "  retry    queue failed or unknown messages again: ID… | --failed | --unknown")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "--outbox is a folder, file:DIR, or postgres://user@host:5432/db; default $%s.\n", envOutboxURL)
	fmt.Fprintln(w, "Run \"mailtrail outbox SUBCOMMAND --help\" for its flags.")
}

// outboxCmdFlags makes the flag set of one outbox subcommand, with
// --outbox.
func outboxCmdFlags(e *env, sub, usage, example string, raw *string) *flag.FlagSet {
	fs := newFlags(e, "outbox "+sub, usage, example)
	outboxFlag(fs, raw, "the outbox `URL`: postgres://user@host:5432/db, or a folder (default $"+envOutboxURL+")")
	return fs
}

// openOutboxCmd opens the outbox an outbox subcommand names, to look after
// it (no transport: it delivers nothing).
func openOutboxCmd(ctx context.Context, e *env, flagValue string) (outbox.Store, error) {
	raw := outboxURL(e, flagValue)
	if raw == "" {
		return nil, usagef("--outbox (or %s) is required", envOutboxURL)
	}
	log := textLogger(e.stderr, slog.LevelWarn)
	return openOutbox(ctx, raw, outboxOpenOptions{Logger: log})
}

// migrator is a store whose schema is migrated explicitly: PostgreSQL's.
type migrator interface {
	Migrate(ctx context.Context) ([]string, error)
}

func runOutboxMigrate(ctx context.Context, e *env, args []string) error {
	var raw string
	fs := outboxCmdFlags(e, "migrate", "--outbox postgres://user@host:5432/db", "MAILTRAIL_OUTBOX_URL=postgres://mailtrail@db.internal:5432/app mailtrail outbox migrate", &raw)
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	s, err := openOutboxCmd(ctx, e, raw)
	if err != nil {
		return err
	}
	defer s.Close()
	m, ok := s.(migrator)
	if !ok {
		fmt.Fprintf(e.stdout, "outbox %s: a folder needs no migration\n", redactURL(outboxURL(e, raw)))
		return nil
	}
	applied, err := m.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(e.stdout, "outbox: up to date")
		return nil
	}
	fmt.Fprintf(e.stdout, "outbox: applied migrations %s\n", strings.Join(applied, ", "))
	return nil
}

func runOutboxStatus(ctx context.Context, e *env, args []string) error {
	var raw string
	var asJSON bool
	fs := outboxCmdFlags(e, "status", "--outbox URL [--json]", "mailtrail outbox status --outbox ./orders.jsonl.outbox --json", &raw)
	fs.BoolVar(&asJSON, "json", false, `print {"queued":n,"sent":n,"failed":n,"unknown":n}`)
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	s, err := openOutboxCmd(ctx, e, raw)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.Counts(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(c)
	}
	fmt.Fprintf(e.stdout, "queued:  %d\nsent:    %d\nfailed:  %d\nunknown: %d\n", c.Queued, c.Sent, c.Failed, c.Unknown)
	return nil
}

func runOutboxList(ctx context.Context, e *env, args []string) error {
	var raw, state string
	var asJSON bool
	fs := outboxCmdFlags(e, "list", "--outbox URL --state failed|unknown [--json]", "mailtrail outbox list --outbox ./orders.jsonl.outbox --state failed", &raw)
	fs.StringVar(&state, "state", "", "the `state` to list: failed or unknown (queued and sent work too)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object per message and line, with the server's answer under \"failure\"")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if state == "" {
		return usagef("--state is required: failed or unknown")
	}
	st, err := outbox.ParseState(state)
	if err != nil {
		return usagef("--state %q: want failed or unknown (or queued, sent)", state)
	}
	s, err := openOutboxCmd(ctx, e, raw)
	if err != nil {
		return err
	}
	defer s.Close()
	list, err := s.List(ctx, st)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	for _, m := range list {
		if asJSON {
			if err := enc.Encode(m); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(e.stdout, "%s  %s  to %s  %s\n", m.ID, m.MessageID, strings.Join(m.To, ","), listReason(m))
	}
	return nil
}

// listReason is one line saying why a message is where it is.
func listReason(m *outbox.Entry) string {
	if f := m.Failure; f != nil {
		reply := strings.TrimSpace(fmt.Sprintf("%d %s %s", f.Code, f.Enhanced, f.Reply))
		if f.Code == 0 {
			reply = f.Error
		}
		return fmt.Sprintf("%s after %d attempt(s): %s", f.Class, f.Attempts, reply)
	}
	if m.LastError != "" {
		return fmt.Sprintf("%d attempt(s), last: %s", m.Attempts, m.LastError)
	}
	return fmt.Sprintf("%d attempt(s)", m.Attempts)
}

func runOutboxRetry(ctx context.Context, e *env, args []string) error {
	var raw string
	var failed, unknown bool
	fs := outboxCmdFlags(e, "retry", "--outbox URL (ID…|--failed|--unknown)", "mailtrail outbox retry --outbox ./orders.jsonl.outbox --unknown", &raw)
	fs.BoolVar(&failed, "failed", false, "queue every failed message again")
	fs.BoolVar(&unknown, "unknown", false, "queue every message whose outcome is unknown again (it may reach its recipients twice, with the same Message-ID)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ids := fs.Args()
	if n := btoi(len(ids) > 0) + btoi(failed) + btoi(unknown); n != 1 {
		return usagef("give message ids, --failed or --unknown (one of them)")
	}
	s, err := openOutboxCmd(ctx, e, raw)
	if err != nil {
		return err
	}
	defer s.Close()
	var n int
	switch {
	case failed:
		n, err = s.RetryState(ctx, outbox.StateFailed)
	case unknown:
		n, err = s.RetryState(ctx, outbox.StateUnknown)
	default:
		n, err = s.Retry(ctx, ids)
	}
	fmt.Fprintf(e.stdout, "queued again: %d\n", n)
	if errors.Is(err, outbox.ErrNotFound) {
		return &exitError{code: 1, err: err}
	}
	return err
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
