package outbox

import (
	"context"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
)

// writeOwnFiles puts a queued message in queue/ as its own two files,
// ID.eml and ID.json: how a message queued again by Retry is kept, and how
// every message was kept before segments. It returns id.
func writeOwnFiles(t *testing.T, s *Folder, id string, env *mailer.Envelope) string {
	t.Helper()
	now := time.Now().UTC()
	e := &Entry{ID: id, From: env.From, To: env.To, MessageID: env.MessageID, Resource: env.Resource,
		Size: len(env.Data), Enqueued: now, Next: now}
	b, err := e.marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.replaceFile(s.Path(StateQueued, id, ".eml"), env.Data); err != nil {
		t.Fatal(err)
	}
	if err := s.replaceFile(s.Path(StateQueued, id, ".json"), b); err != nil {
		t.Fatal(err)
	}
	_ = context.Background
	return id
}
