package postgres_test

import (
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/outbox"
	"github.com/mailtrail/mailtrail/outbox/outboxtest"
	"github.com/mailtrail/mailtrail/outbox/postgres"
)

// TestStore_faults runs the outbox rows of FAULTS.md, the table every store
// passes, against the PostgreSQL store.
func TestStore_faults(t *testing.T) {
	outboxtest.Faults(t, func(t *testing.T, tr mailer.Transport, rules outbox.Rules) outbox.Store {
		return openStore(t, &postgres.Options{Transport: tr, Rules: rules, RescueAfter: time.Minute})
	})
}
