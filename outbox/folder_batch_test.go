package outbox

import (
	"context"
	"errors"
	"fmt"
	"github.com/mailtrail/mailtrail/mailer"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// spoolBatchItems returns n keyed items, keys "k0", "k1", ...
func spoolBatchItems(n int) []Item {
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{Key: fmt.Sprintf("k%d", i), Env: spoolEnv(i)}
	}
	return items
}

func TestFolder_EnqueueBatch(t *testing.T) {
	// A group of one and a larger one: each is one segment.
	for _, tc := range []struct {
		name string
		n    int
	}{
		{"one", 1},
		{"group", 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &spoolRecorder{}
			s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver)})
			items := spoolBatchItems(tc.n)
			items = append(items, Item{Env: spoolEnv(tc.n)}) // no key: a fresh id
			if err := s.EnqueueBatch(context.Background(), items); err != nil {
				t.Fatalf("EnqueueBatch: %v", err)
			}
			for i, it := range items {
				if it.Err != nil {
					t.Errorf("item %d: Err = %v, want nil", i, it.Err)
				}
				if it.Key != "" && it.ID != it.Key {
					t.Errorf("item %d: ID = %q, want the key %q", i, it.ID, it.Key)
				}
				e, err := s.Lookup(context.Background(), it.ID)
				if err != nil {
					t.Fatalf("Lookup(%q): %v", it.ID, err)
				}
				if e.State != StateQueued || e.MessageID != it.Env.MessageID || e.Key != it.Key {
					t.Errorf("Lookup(%q) = state %v, Message-ID %q, key %q; want queue, %q, %q",
						it.ID, e.State, e.MessageID, e.Key, it.Env.MessageID, it.Key)
				}
				got, err := s.Message(context.Background(), it.ID)
				if err != nil || string(got) != string(it.Env.Data) {
					t.Errorf("%s.eml = %q, %v; want the message", it.ID, got, err)
				}
			}
			if des, _ := os.ReadDir(filepath.Join(s.Dir(), "tmp")); len(des) != 0 {
				t.Errorf("tmp/ holds %d files after EnqueueBatch, want 0", len(des))
			}
			spoolDrain(t, s)
			if got, want := len(rec.got), len(items); got != want {
				t.Errorf("delivered %d messages, want %d", got, want)
			}
			if n := spoolCounts(t, s); n[StateSent] != len(items) || n[StateQueued] != 0 {
				t.Errorf("counts = %v, want %d sent", n, len(items))
			}
		})
	}
}

func TestFolder_EnqueueBatch_itemErrors(t *testing.T) {
	s := quickSpool(t, FolderOptions{})
	if _, err := s.EnqueueKey(context.Background(), "old", spoolEnv(0)); err != nil {
		t.Fatal(err)
	}
	items := []Item{
		{Key: "old", Env: spoolEnv(1)},          // already in the spool
		{Key: "new", Env: spoolEnv(2)},          // fine
		{Key: "bad.key", Env: spoolEnv(3)},      // not a key
		{Key: "empty", Env: &mailer.Envelope{}}, // no message
		{Key: "nil"},                            // no envelope
		{Key: "fine-too", Env: spoolEnv(4)},     // fine
	}
	err := s.EnqueueBatch(context.Background(), items)
	if err == nil {
		t.Fatal("EnqueueBatch = nil, want the errors of the bad items")
	}
	if errors.Is(err, ErrDuplicate) {
		t.Errorf("EnqueueBatch error %v includes ErrDuplicate, want only the real failures", err)
	}
	for _, tc := range []struct {
		i       int
		wantErr string // "" for nil
		dup     bool
	}{
		{0, "already enqueued", true},
		{1, "", false},
		{2, "bad key", false},
		{3, "empty message", false},
		{4, "empty message", false},
		{5, "", false},
	} {
		it := items[tc.i]
		switch {
		case tc.wantErr == "" && it.Err != nil:
			t.Errorf("item %q: Err = %v, want nil", it.Key, it.Err)
		case tc.wantErr != "" && (it.Err == nil || !strings.Contains(it.Err.Error(), tc.wantErr)):
			t.Errorf("item %q: Err = %v, want one containing %q", it.Key, it.Err, tc.wantErr)
		case errors.Is(it.Err, ErrDuplicate) != tc.dup:
			t.Errorf("item %q: errors.Is(Err, ErrDuplicate) = %v, want %v", it.Key, !tc.dup, tc.dup)
		}
	}
	if n := spoolCounts(t, s); n[StateQueued] != 3 {
		t.Errorf("queued = %d, want 3 (old, new, fine-too)", n[StateQueued])
	}
	e, err := s.Lookup(context.Background(), "old")
	if err != nil || e.MessageID != spoolEnv(0).MessageID {
		t.Errorf("Lookup(old) = %v, %v; want the first message kept", e, err)
	}
}

func TestFolder_EnqueueBatch_cancelled(t *testing.T) {
	s := quickSpool(t, FolderOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	items := spoolBatchItems(3)
	if err := s.EnqueueBatch(ctx, items); !errors.Is(err, context.Canceled) {
		t.Errorf("EnqueueBatch = %v, want context.Canceled", err)
	}
	if n := spoolCounts(t, s); n[StateQueued] != 0 {
		t.Errorf("queued = %d after a cancelled EnqueueBatch, want 0", n[StateQueued])
	}
}

func TestFolder_IDs(t *testing.T) {
	rec := &spoolRecorder{fail: func(n int, to []string, data []byte) error {
		if strings.Contains(to[0], "p1@") {
			return spoolPermanent(550)
		}
		return nil
	}}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver)})
	if err := s.EnqueueBatch(context.Background(), spoolBatchItems(3)); err != nil {
		t.Fatal(err)
	}
	spoolDrain(t, s)
	if _, err := s.EnqueueKey(context.Background(), "later", spoolEnv(9)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		state State
		want  string
	}{
		{StateQueued, "later"},
		{StateSent, "k0 k2"},
		{StateFailed, "k1"}, // not k1.error
		{StateUnknown, ""},
	} {
		ids, err := s.IDs(tc.state)
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(ids)
		if got := strings.Join(ids, " "); got != tc.want {
			t.Errorf("IDs(%v) = %q, want %q", tc.state, got, tc.want)
		}
	}
}
