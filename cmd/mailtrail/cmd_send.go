package main

import (
	"context"
	"errors"
)

// runSend is not written yet.
func runSend(ctx context.Context, e *env, args []string) error {
	return errors.New("send: not implemented yet")
}
