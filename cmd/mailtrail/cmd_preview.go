package main

import (
	"context"
	"errors"
)

// runPreview is not written yet.
func runPreview(ctx context.Context, e *env, args []string) error {
	return errors.New("preview: not implemented yet")
}
