package postgres_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/outbox/postgres"
)

// The transactional outbox: the invoice row and its e-mail commit
// together, or neither does. A worker ("mailtrail worker", or Store.Run)
// delivers the message once the transaction has committed.
func ExampleStore_EnqueueTx() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	// Render only: the store's workers deliver.
	r, err := mailer.NewRenderer(mailer.Config{
		Identity: mailer.Identity{From: "Billing <billing@example.com>"},
		Render:   mailer.RenderConfig{Templates: os.DirFS("templates")},
	})
	if err != nil {
		log.Fatal(err)
	}
	env, err := r.Render(ctx, &mailer.Message{Template: "invoice", To: []string{"partner@example.net"},
		Resource: "INV-2026-0117", Data: map[string]any{"total": "120.00"}})
	if err != nil {
		log.Fatal(err)
	}

	tx, err := store.Pool().Begin(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "UPDATE invoice SET sent = now() WHERE id = $1", "INV-2026-0117"); err != nil {
		log.Fatal(err)
	}
	// The key makes a second enqueue of the same invoice add nothing.
	if _, err := store.EnqueueTx(ctx, tx, "invoice-INV-2026-0117", env); err != nil {
		log.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		log.Fatal(err)
	}
}

// Redacted is how a PostgreSQL URL shows in logs and messages.
func ExampleRedacted() {
	fmt.Println(postgres.Redacted("postgres://app:s3cret@db.internal:5432/app?sslmode=require"))
	// Output: postgres://app:xxxxx@db.internal:5432/app?sslmode=require
}
