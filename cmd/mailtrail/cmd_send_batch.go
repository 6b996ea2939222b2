package main

import (
	"context"
	"errors"

	"github.com/mailtrail/mailtrail/mailer"
)

// sendBatch sends one message per record of o.Batch with cfg, the
// template being name. Placeholder: the batch mode (records, concurrency,
// progress, report) replaces this file.
func sendBatch(ctx context.Context, e *env, o *sendOptions, cfg mailer.Config, name string) error {
	return errors.New("--batch is not available yet")
}

// renderBatch renders one message per record of o.Batch into the mbox
// file o.Output. Placeholder, replaced with sendBatch.
func renderBatch(ctx context.Context, e *env, o *renderOptions) error {
	return errors.New("--batch is not available yet")
}
