package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/internal/pgtest"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox"
	"github.com/mailtrail/mailtrail/outbox/postgres"
)

// messageIDCounter counts the messages a server accepted per Message-ID.
type messageIDCounter struct {
	mu  sync.Mutex
	per map[string]int
	n   int
}

func (c *messageIDCounter) add(m mailtest.Message) {
	id := headerValue(m.Data, "Message-ID")
	c.mu.Lock()
	defer c.mu.Unlock()
	c.per[id]++
	c.n++
}

func (c *messageIDCounter) counts() (total, distinct int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, len(c.per)
}

// headerValue returns the first field name's value in a message's header.
func headerValue(data []byte, name string) string {
	for _, line := range strings.Split(string(data), "\r\n") {
		if line == "" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// workerProcess is one "mailtrail worker" child process.
type workerProcess struct {
	cmd *exec.Cmd
	out bytes.Buffer
}

func startWorker(t *testing.T, bin string, args []string) *workerProcess {
	t.Helper()
	w := &workerProcess{cmd: exec.Command(bin, append([]string{"worker"}, args...)...)}
	w.cmd.Env = append(os.Environ(), "MAILTRAIL_SMTP_URL=", "MAILTRAIL_OUTBOX_URL=")
	w.cmd.Stdout, w.cmd.Stderr = &w.out, &w.out
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestWorker_crash enqueues 3 000 messages with "mailtrail send --batch
// --outbox postgres://…", runs three "mailtrail worker" processes on that
// database, delivering to a loopback server, and SIGKILLs
// one of them five times at random moments, restarting it each time. Every
// message must be accepted at least once; the duplicates (a worker killed
// between the server's 250 and River's record of it: River rescues the
// message and another worker sends it again, with the same Message-ID) are
// counted and logged.
func TestWorker_crash(t *testing.T) {
	const n, kills = 3000, 5
	url := pgtest.URL(t)
	bin := sendBatchBinary(t)
	if bin == "" {
		t.Skip("the go tool cannot build mailtrail here")
	}
	ctx := context.Background()
	if code := run(ctx, testEnv(nil), []string{"outbox", "migrate", "--outbox", url}); code != 0 {
		t.Fatalf("outbox migrate exit %d", code)
	}
	tmpl, records := sendBatchWorkload(t, t.TempDir(), n)
	sendBatchPostgres(t, url, tmpl, records, fmt.Sprintf("  enqueued: %d ", n))
	s, err := postgres.Open(ctx, url, &postgres.Options{Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	queued, err := s.List(ctx, outbox.StateQueued)
	if err != nil || len(queued) != n {
		t.Fatalf("List(queued) = %d messages, %v; want %d", len(queued), err, n)
	}
	want := make(map[string]bool, n)
	for _, e := range queued {
		want[e.MessageID] = true
	}

	counter := &messageIDCounter{per: make(map[string]int)}
	srv := mailtest.NewServer(t, mailtest.DiscardMessages(), mailtest.OnMessage(counter.add))
	args := []string{"--outbox", url, "--smtp", srv.URL(), "--concurrency", "4", "--rescue-after", "3s"}
	workers := []*workerProcess{startWorker(t, bin, args), startWorker(t, bin, args), startWorker(t, bin, args)}
	defer func() {
		for _, w := range workers {
			w.cmd.Process.Kill()
			w.cmd.Wait()
		}
	}()

	// Kill worker 0 at random moments while they deliver.
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		if total, _ := counter.counts(); total > 0 {
			break
		}
		if time.Since(start) > time.Minute {
			t.Fatal("no message accepted within a minute of starting the workers")
		}
	}
	for k := range kills {
		time.Sleep(time.Duration(100+rand.IntN(1000)) * time.Millisecond)
		total, _ := counter.counts()
		if err := workers[0].cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		workers[0].cmd.Wait()
		t.Logf("kill %d: worker killed after %d messages accepted", k+1, total)
		workers[0] = startWorker(t, bin, args)
	}

	// The messages the killed worker held are rescued by River after
	// --rescue-after (its rescuer runs every 30 seconds).
	deadline := time.Now().Add(3 * time.Minute)
	for {
		_, distinct := counter.counts()
		if distinct >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 3 minutes, %d of %d messages accepted", distinct, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for {
		c, err := s.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c == (outbox.Counts{Sent: n}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Counts = %+v, want all %d sent", c, n)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// SIGTERM: each worker lets its sends finish and exits 0.
	for i, w := range workers {
		w.cmd.Process.Signal(syscall.SIGTERM)
		if err := w.cmd.Wait(); err != nil {
			t.Errorf("worker %d after SIGTERM: %v\n%s", i, err, w.out.String())
		}
	}
	workers = nil

	total, distinct := counter.counts()
	counter.mu.Lock()
	for id := range want {
		if counter.per[id] == 0 {
			t.Errorf("message %s never accepted", id)
		}
	}
	counter.mu.Unlock()
	if distinct != n {
		t.Errorf("%d distinct Message-IDs accepted, want %d", distinct, n)
	}
	t.Logf("crash test: %d messages, %d workers, %d SIGKILLs: %d accepted, %d distinct, %d duplicates (same Message-ID)",
		n, 3, kills, total, distinct, total-distinct)
	fmt.Printf("crash test: %d duplicates (same Message-ID) in %d accepted messages\n", total-distinct, total)
}
