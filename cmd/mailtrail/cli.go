package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// env is what a command may touch of the outside world; tests supply their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one subcommand: its name, a one-line summary, and the function
// that runs it. Each command lives in its own cmd_NAME.go file.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"preview", "render a template with sample data and print a part, or serve a live preview", runPreview},
		{"check", "report every problem in a template as file:line:col", runCheck},
		{"render", "write the exact message bytes that send would transmit", runRender},
		{"send", "render and send a message (or a batch) over SMTP, into an outbox, or to ./mail", runSend},
		{"trace", "find the resource a received message is about", runTrace},
		{"inspect", "print the parsed structure and reply of a received message as JSON", runInspect},
		{"sink", "run a development SMTP server that saves every message as .eml", runSink},
		{"worker", "deliver what the outbox holds until stopped (any number of workers with PostgreSQL)", runWorker},
		{"outbox", "look after the outbox: migrate, status, list, retry", runOutbox},
		{"inbox", "process an IMAP inbox: trace each message and file it as processed or failed", runInbox},
	}
}

// usageError is a mistake in how the command was called; it exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError carries a specific exit code; its message, if any, was already
// printed by the command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// run dispatches args to a command and turns its error into an exit code:
// 0 on success, 2 for usage errors, the code of an *exitError, else 1.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		return exitCode(e, c.name, err)
	}
	fmt.Fprintf(e.stderr, "mailtrail: unknown command %q (run \"mailtrail help\")\n", args[0])
	return 2
}

func exitCode(e *env, name string, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "mailtrail %s: %v\n", name, err)
		fmt.Fprintf(e.stderr, "run \"mailtrail %s --help\" for usage\n", name)
		return 2
	}
	var xe *exitError
	if errors.As(err, &xe) {
		if xe.err != nil {
			fmt.Fprintf(e.stderr, "mailtrail %s: %v\n", name, xe.err)
		}
		return xe.code
	}
	fmt.Fprintf(e.stderr, "mailtrail %s: %v\n", name, err)
	return 1
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "mailtrail: templated e-mail that replies can find their way back from")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: mailtrail COMMAND [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run \"mailtrail COMMAND --help\" for a command's flags and an example.")
}

// newFlags makes a flag set for one command. usage is the synopsis line and
// example an example invocation; both are shown by --help.
func newFlags(e *env, name, usage, example string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: mailtrail %s %s\n\nflags:\n", name, usage)
		fs.PrintDefaults()
		if example != "" {
			fmt.Fprintf(w, "\nexample:\n  %s\n", strings.TrimSpace(example))
		}
	}
	return fs
}

// parseFlags parses args and turns a flag error into a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: 2} // flag already printed the problem and usage
	}
	return nil
}

// textLogger logs to w, as text, the records of level and above.
func textLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// parseArgs parses args like parseFlags and allows at most max arguments
// after the flags; one more is a usage error.
func parseArgs(fs *flag.FlagSet, args []string, max int) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > max {
		return usagef("unexpected argument %q", fs.Arg(max))
	}
	return nil
}
