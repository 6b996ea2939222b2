package main

import (
	"context"
	"errors"
)

// runSink is not written yet.
func runSink(ctx context.Context, e *env, args []string) error {
	return errors.New("sink: not implemented yet")
}
