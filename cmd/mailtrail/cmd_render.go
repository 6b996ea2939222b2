package main

import (
	"context"
	"errors"
)

// runRender is not written yet.
func runRender(ctx context.Context, e *env, args []string) error {
	return errors.New("render: not implemented yet")
}
