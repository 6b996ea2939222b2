package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox"
	"github.com/mailtrail/mailtrail/outbox/outboxtest"
)

// openFolder opens a folder store in a fresh folder, closed by the test.
func openFolder(t *testing.T, tr mailer.Transport, rules outbox.Rules) *outbox.Folder {
	t.Helper()
	s, err := outbox.OpenFolder(t.TempDir(), &outbox.FolderOptions{
		Transport: tr, Rules: rules, Poll: 50 * time.Millisecond, Logger: discardLogger(),
	})
	if err != nil {
		t.Fatalf("OpenFolder: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// The store-independent outbox rows of FAULTS.md, on the folder store.
func TestFolder_faults(t *testing.T) {
	outboxtest.Faults(t, func(t *testing.T, tr mailer.Transport, rules outbox.Rules) outbox.Store {
		return openFolder(t, tr, rules)
	})
}

// Cancelling Run while a message is in the middle of DATA returns promptly
// and leaves the message queued, attempts unchanged.
func TestFolder_Run_cancelMidData(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageData, Action: mailtest.Stall, After: 4096}))
	started := make(chan struct{}, 1)
	s := openFolder(t, outboxtest.TransportTimeout(t, srv.URL(), time.Minute), outbox.Rules{})
	env := outboxtest.Envelope(1)
	env.Data = outboxtest.BigBody()
	id, err := s.Enqueue(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	go func() {
		for srv.Stats().Faults == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		started <- struct{}{}
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the server never stalled")
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	e, err := s.Lookup(context.Background(), id)
	if err != nil || e.State != outbox.StateQueued || e.Attempts != 0 {
		t.Fatalf("Lookup = %+v, %v; want queued with no attempt counted", e, err)
	}
}
