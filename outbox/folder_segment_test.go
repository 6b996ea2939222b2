package outbox

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
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
	return id
}

// segmentFiles lists the segment files of a state's folder.
func segmentFiles(t *testing.T, s *Folder, st State) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(s.Dir(), dirOf(st), "*"+segExt))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// stopAfter is a transport that accepts messages until n were accepted,
// then stops the Run it delivers for, as a process killed there would:
// the message in hand is not sent.
type stopAfter struct {
	mu   sync.Mutex
	n    int
	got  []string // recipients, in order
	stop func()
}

func (s *stopAfter) Transmit(ctx context.Context, env *mailer.Envelope) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.got) >= s.n {
		s.stop()
		return "", &mailer.SendError{Op: mailer.OpMail, Err: context.Canceled}
	}
	s.got = append(s.got, env.To[0])
	return "250 ok", nil
}

func (s *stopAfter) Close() error { return nil }

// A Run stopped half-way through a segment (a crash after the last
// record) leaves the rest queued; the folder opened again delivers only
// those, each once, and the finished segment moves to sent/.
func TestFolder_segment_reopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := OpenFolder(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	if err := s.EnqueueBatch(ctx, spoolBatchItems(n)); err != nil {
		t.Fatal(err)
	}
	if got := len(segmentFiles(t, s, StateQueued)); got != 1 {
		t.Fatalf("queue/ holds %d segments, want 1", got)
	}

	runCtx, cancel := context.WithCancel(ctx)
	first := &stopAfter{n: 7, stop: cancel}
	s1, err := OpenFolder(dir, &FolderOptions{Transport: first, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.Run(runCtx); err != nil {
		t.Fatal(err)
	}
	c := spoolCounts(t, s1)
	if c[StateSent] != 7 || c[StateQueued] != n-7 {
		t.Fatalf("after the first run: %v, want 7 sent and %d queued", c, n-7)
	}

	second := &spoolRecorder{}
	s2, err := OpenFolder(dir, &FolderOptions{Transport: deliverFunc(second.deliver), Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	spoolDrain(t, s2)
	got := slices.Clone(first.got)
	for _, m := range second.got {
		got = append(got, m.to[0])
	}
	sort.Strings(got)
	if len(got) != n || len(slices.Compact(got)) != n {
		t.Errorf("delivered %d messages (%d distinct) over both runs, want each of %d once: %q", len(got), len(slices.Compact(got)), n, got)
	}
	if c := spoolCounts(t, s2); c[StateSent] != n || c[StateQueued] != 0 {
		t.Errorf("counts = %v, want %d sent", c, n)
	}
	if q, sent := segmentFiles(t, s2, StateQueued), segmentFiles(t, s2, StateSent); len(q) != 0 || len(sent) != 1 {
		t.Errorf("segments: queue/ %q, sent/ %q; want the one segment in sent/", q, sent)
	}
}

// A record torn by a crash is ignored: its message is still queued and
// is sent again (the promise allows it), and the records after it read.
func TestFolder_segment_tornRecord(t *testing.T) {
	ctx := context.Background()
	s := quickSpool(t, FolderOptions{})
	if err := s.EnqueueBatch(ctx, spoolBatchItems(3)); err != nil {
		t.Fatal(err)
	}
	seg := segmentFiles(t, s, StateQueued)[0]
	f, err := os.OpenFile(seg, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	// k0 sent, then a record for k1 cut short.
	if _, err := f.WriteString(`{"id":"k0","state":"sent","entry":{"id":"k0","key":"k0","from":"app@example.test","to":["p0@partner.test"],"size":1,"enqueued":"2026-01-01T00:00:00Z","attempts":1}}` + "\n" + `{"id":"k1","sta`); err != nil {
		t.Fatal(err)
	}
	f.Close()

	rec := &spoolRecorder{}
	s2, err := OpenFolder(s.Dir(), &FolderOptions{Transport: deliverFunc(rec.deliver)})
	if err != nil {
		t.Fatal(err)
	}
	if c := spoolCounts(t, s2); c[StateSent] != 1 || c[StateQueued] != 2 {
		t.Fatalf("counts = %v, want k0 sent, k1 and k2 queued", c)
	}
	spoolDrain(t, s2)
	var to []string
	for _, m := range rec.got {
		to = append(to, m.to[0])
	}
	sort.Strings(to)
	if got := strings.Join(to, " "); got != "p1@partner.test p2@partner.test" {
		t.Errorf("delivered to %q, want k1 and k2's recipients only", got)
	}
	// The segment moved with its log readable: every message sent.
	if c := spoolCounts(t, s2); c[StateSent] != 3 || c[StateQueued] != 0 {
		t.Errorf("counts after delivery = %v, want 3 sent", c)
	}
}

// Counts, List, Lookup, Message, Keys and Retry see the messages of a
// segment in every state: sent and retried ones in the segment's log,
// failed and unknown ones moved out to their own files, from where Retry
// queues them again.
func TestFolder_segment_admin(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	failing := true
	rec := &spoolRecorder{fail: func(n int, to []string, data []byte) error {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case !failing:
			return nil
		case to[0] == "p1@partner.test":
			return spoolPermanent(550)
		case to[0] == "p2@partner.test":
			return spoolUnknown()
		case to[0] == "p3@partner.test":
			return spoolTransient(451)
		}
		return nil
	}}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver),
		Rules: Rules{MinBackoff: time.Hour, MaxBackoff: time.Hour, MaxAge: 24 * time.Hour}})
	items := spoolBatchItems(5)
	if err := s.EnqueueBatch(ctx, items); err != nil {
		t.Fatal(err)
	}
	// Deliver until only k3's retry, an hour away, is left.
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := s.Drain(dctx, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	want := map[State]string{StateQueued: "k3", StateSent: "k0 k4", StateFailed: "k1", StateUnknown: "k2"}
	check := func(when string) {
		t.Helper()
		c, err := s.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[State]int{StateQueued: c.Queued, StateSent: c.Sent, StateFailed: c.Failed, StateUnknown: c.Unknown}
		for st, ids := range want {
			list, err := s.List(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range list {
				names = append(names, e.ID)
				if e.State != st {
					t.Errorf("%s: List(%v) has %s in state %v", when, st, e.ID, e.State)
				}
				if (st == StateFailed || st == StateUnknown) && e.Failure == nil {
					t.Errorf("%s: List(%v): %s has no Failure", when, st, e.ID)
				}
			}
			sort.Strings(names)
			if g := strings.Join(names, " "); g != ids || got[st] != len(names) {
				t.Errorf("%s: List(%v) = %q (Counts %d), want %q", when, st, g, got[st], ids)
			}
		}
		keys, err := s.Keys(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		for st, ids := range want {
			for id := range strings.FieldsSeq(ids) {
				if keys[id] != st {
					t.Errorf("%s: Keys()[%s] = %v, want %v", when, id, keys[id], st)
				}
			}
		}
		for i, it := range items {
			b, err := s.Message(ctx, it.Key)
			if err != nil || !bytes.Equal(b, it.Env.Data) {
				t.Errorf("%s: Message(%s) = %q, %v; want item %d's bytes", when, it.Key, b, err, i)
			}
		}
	}
	check("after the first run")
	if e, err := s.Lookup(ctx, "k3"); err != nil || e.Attempts != 1 || e.State != StateQueued || !e.Next.After(time.Now().Add(30*time.Minute)) {
		t.Errorf("Lookup(k3) = %+v, %v; want queued after one attempt, the retry an hour away", e, err)
	}

	mu.Lock()
	failing = false
	mu.Unlock()
	if n, err := s.Retry(ctx, []string{"k1", "k2"}); n != 2 || err != nil {
		t.Fatalf("Retry(k1, k2) = %d, %v; want 2", n, err)
	}
	if _, err := s.Retry(ctx, []string{"k0"}); err == nil {
		t.Errorf("Retry of a sent message: no error")
	}
	want = map[State]string{StateQueued: "k1 k2 k3", StateSent: "k0 k4", StateFailed: "", StateUnknown: ""}
	check("after Retry")
	// The folder opened again, as the next process would.
	s, err := OpenFolder(s.Dir(), &s.opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Drain(dctx, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	want = map[State]string{StateQueued: "k3", StateSent: "k0 k1 k2 k4", StateFailed: "", StateUnknown: ""}
	check("after the second run")
	// k3 still waits in the segment, which stays in queue/.
	if q := segmentFiles(t, s, StateQueued); len(q) != 1 {
		t.Errorf("queue/ holds segments %q, want the one with k3", q)
	}
}

// Messages with their own files, as folders held every message before
// segments, are delivered beside segments and listed with them.
func TestFolder_segment_oldLayout(t *testing.T) {
	ctx := context.Background()
	rec := &spoolRecorder{}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver)})
	writeOwnFiles(t, s, "old1", spoolEnv(1))
	writeOwnFiles(t, s, "old2", spoolEnv(2))
	if err := s.EnqueueBatch(ctx, []Item{{Key: "new3", Env: spoolEnv(3)}, {Key: "old1", Env: spoolEnv(1)}}); err != nil {
		t.Fatal(err)
	}
	if c := spoolCounts(t, s); c[StateQueued] != 3 {
		t.Fatalf("counts = %v, want 3 queued (old1 not twice)", c)
	}
	spoolDrain(t, s)
	if len(rec.got) != 3 {
		t.Errorf("delivered %d, want 3", len(rec.got))
	}
	sent, err := s.List(ctx, StateSent)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range sent {
		ids = append(ids, e.ID)
	}
	sort.Strings(ids)
	if got := strings.Join(ids, " "); got != "new3 old1 old2" {
		t.Errorf("sent = %q, want new3 old1 old2", got)
	}
	if _, err := os.Stat(s.Path(StateSent, "old1", ".eml")); err != nil {
		t.Errorf("old1 did not keep its own files in sent/: %v", err)
	}
}

// A message moved out of its segment to failed/ by a Run that crashed
// before it could record it is not sent again: the next Run finds its
// own files and records it.
func TestFolder_segment_movedOutBeforeCrash(t *testing.T) {
	ctx := context.Background()
	rec := &spoolRecorder{}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver)})
	if err := s.EnqueueBatch(ctx, spoolBatchItems(2)); err != nil {
		t.Fatal(err)
	}
	e, err := s.Lookup(ctx, "k1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.moveOut(e, StateFailed, &Failure{Class: "permanent", Error: "550 no"}, spoolEnv(1).Data); err != nil {
		t.Fatal(err)
	}
	spoolDrain(t, s)
	if len(rec.got) != 1 || rec.got[0].to[0] != "p0@partner.test" {
		t.Errorf("delivered %d messages, want only k0's", len(rec.got))
	}
	if c := spoolCounts(t, s); c[StateSent] != 1 || c[StateFailed] != 1 || c[StateQueued] != 0 {
		t.Errorf("counts = %v, want k0 sent and k1 failed", c)
	}
}

// With DeleteSent, a segment whose messages were all sent is deleted.
func TestFolder_segment_deleteSent(t *testing.T) {
	ctx := context.Background()
	rec := &spoolRecorder{}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver), DeleteSent: true})
	if err := s.EnqueueBatch(ctx, spoolBatchItems(4)); err != nil {
		t.Fatal(err)
	}
	spoolDrain(t, s)
	if q, sent := segmentFiles(t, s, StateQueued), segmentFiles(t, s, StateSent); len(q)+len(sent) != 0 || len(rec.got) != 4 {
		t.Errorf("after delivering %d: queue/ %q, sent/ %q; want 4 delivered and no segment left", len(rec.got), q, sent)
	}
	// Its keys are gone with it: the same key enqueues again.
	if _, err := s.EnqueueKey(ctx, "k0", spoolEnv(0)); err != nil {
		t.Errorf("EnqueueKey(k0) after its segment was deleted: %v", err)
	}
}
