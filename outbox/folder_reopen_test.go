package outbox

import (
	"context"
	"testing"
	"time"
)

// Opening a folder while another Run delivers from it (a second process
// enqueueing, or "outbox status") finds moves half done that are not
// crashes: the other Run finishes them itself. Every open succeeds, and
// every message is delivered once and filed as sent with its bytes.
func TestOpenFolder_whileRunning(t *testing.T) {
	rec := &spoolRecorder{}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver), Concurrency: 4})
	const n = 300
	for i := range n {
		spoolMustEnqueue(t, s, spoolEnv(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	opens := 0
	for ctx.Err() == nil && spoolCounts(t, s)[StateSent] < n {
		if _, err := OpenFolder(s.Dir(), nil); err != nil {
			t.Fatalf("OpenFolder while Run delivers (after %d opens): %v", opens, err)
		}
		opens++
	}
	if err := s.WaitIdle(ctx, time.Time{}); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
	if c := spoolCounts(t, s); c[StateSent] != n || c[StateQueued] != 0 {
		t.Errorf("folders = %v after %d opens, want %d sent", c, opens, n)
	}
	if len(rec.got) != n {
		t.Errorf("delivered %d, want %d", len(rec.got), n)
	}
	sent, err := s.List(context.Background(), StateSent)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sent {
		if _, err := s.Message(context.Background(), e.ID); err != nil {
			t.Errorf("sent message %s: %v", e.ID, err)
		}
	}
}

// Drain called again on the same Folder delivers what was enqueued since,
// rather than returning at once on the end of the Run before.
func TestFolder_Drain_again(t *testing.T) {
	rec := &spoolRecorder{}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver)})
	for i := range 3 {
		spoolMustEnqueue(t, s, spoolEnv(i))
		spoolDrain(t, s)
		if len(rec.got) != i+1 {
			t.Fatalf("after Drain %d: delivered %d, want %d", i+1, len(rec.got), i+1)
		}
	}
}
