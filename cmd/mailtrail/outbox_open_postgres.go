package main

import (
	"context"
	"errors"

	"github.com/mailtrail/mailtrail/outbox"
	"github.com/mailtrail/mailtrail/outbox/postgres"
)

// openPostgresOutbox opens the PostgreSQL store of a postgres:// URL. Its
// errors never show the URL's password.
func openPostgresOutbox(ctx context.Context, raw string, o outboxOpenOptions) (outbox.Store, error) {
	s, err := postgres.Open(ctx, raw, &postgres.Options{
		Transport:   o.Transport,
		Concurrency: o.Concurrency,
		Rules:       o.Rules,
		RescueAfter: o.RescueAfter,
		Logger:      o.Logger,
	})
	if errors.Is(err, postgres.ErrBadURL) {
		return nil, &exitError{code: 2, err: err}
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}
