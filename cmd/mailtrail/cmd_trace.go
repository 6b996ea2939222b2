package main

import (
	"context"
	"errors"
)

// runTrace is not written yet.
func runTrace(ctx context.Context, e *env, args []string) error {
	return errors.New("trace: not implemented yet")
}
