// Command mailtrail previews, checks, renders and sends templated e-mail,
// traces replies back to their resource, and runs a development SMTP sink.
//
// Run "mailtrail help" for the list of commands and "mailtrail CMD --help"
// for one command's flags and an example.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	code := run(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}
