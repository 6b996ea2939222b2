package main

import (
	"context"
	"errors"
)

// runInbox is not written yet.
func runInbox(ctx context.Context, e *env, args []string) error {
	return errors.New("inbox: not implemented yet")
}
