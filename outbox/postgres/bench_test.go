package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox"
	"github.com/mailtrail/mailtrail/outbox/postgres"
)

// The benchmarks of this file measure the PostgreSQL outbox against its
// floor, sending the same rendered messages directly to the same loopback
// server (what "send --batch --spool none" does), in the same run:
//
//	MAILTRAIL_TEST_POSTGRES_URL=… go test -run '^$' -bench . -benchtime 2000x ./outbox/postgres
//
// Each reports msgs/s for both sides and x-direct, the PostgreSQL side's
// throughput as a share of direct sending's (1 is as fast; the target is
// at least 0.5 for delivery).

// benchEnvelopes renders one real message and makes n copies of it with
// their own Message-IDs.
func benchEnvelopes(b *testing.B, n int) []*mailer.Envelope {
	b.Helper()
	tpl := renderEnvelope(b, "bench")
	out := make([]*mailer.Envelope, n)
	for i := range out {
		e := *tpl
		e.MessageID = fmt.Sprintf("<bench%d@app.example.test>", i)
		out[i] = &e
	}
	return out
}

// countingServer is a loopback server that only counts what it accepts.
func countingServer(b *testing.B) (*mailtest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := mailtest.NewServer(b, mailtest.DiscardMessages(), mailtest.OnMessage(func(mailtest.Message) { n.Add(1) }))
	return srv, &n
}

// direct sends envs to srv with conc goroutines over conc connections, as
// "send --batch --spool none" does, and returns how long it took.
func direct(b *testing.B, srv *mailtest.Server, envs []*mailer.Envelope, conc int) time.Duration {
	b.Helper()
	tr := transport(b, srv.URL(), conc)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(envs) {
					return
				}
				if _, err := tr.Transmit(context.Background(), envs[i]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// pgCPU returns the CPU time the machine's PostgreSQL processes have used,
// their reaped children's included (each connection is one); zero where
// /proc cannot tell. On a busy machine the wall-clock rates say little
// about PostgreSQL's own cost; its CPU time per message does.
func pgCPU() time.Duration {
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte("(postgres)")) {
			continue
		}
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
		for _, i := range []int{11, 12, 13, 14} { // utime stime cutime cstime
			if i < len(f) {
				n, _ := strconv.ParseInt(f[i], 10, 64)
				ticks += n
			}
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

func report(b *testing.B, n int, pg, floor time.Duration) {
	b.ReportMetric(float64(n)/pg.Seconds(), "msgs/s")
	b.ReportMetric(float64(n)/floor.Seconds(), "direct-msgs/s")
	b.ReportMetric(floor.Seconds()/pg.Seconds(), "x-direct")
	b.ReportMetric(0, "ns/op") // the wall time of both sides is not per message
}

// BenchmarkEnqueue enqueues one message per transaction, and batches of
// 1 000 in one transaction (InsertManyTx), beside sending the same
// messages directly over one connection.
func BenchmarkEnqueue(b *testing.B) {
	for _, batch := range []int{1, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s := openStore(b, nil)
			envs := benchEnvelopes(b, b.N)
			srv, _ := countingServer(b)
			floor := direct(b, srv, envs, 1)
			ctx := context.Background()
			b.ResetTimer()
			start, cpu := time.Now(), pgCPU()
			for i := 0; i < len(envs); i += batch {
				items := make([]outbox.Item, 0, batch)
				for _, e := range envs[i:min(i+batch, len(envs))] {
					items = append(items, outbox.Item{Key: e.MessageID, Env: e})
				}
				if err := s.EnqueueBatch(ctx, items); err != nil {
					b.Fatal(err)
				}
			}
			pg := time.Since(start)
			b.StopTimer()
			report(b, len(envs), pg, floor)
			if cpu := pgCPU() - cpu; cpu > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/float64(len(envs)), "pg-cpu-µs/msg")
			}
		})
	}
}

// BenchmarkDeliver delivers b.N queued messages with 1, 2 and 4 workers
// (one process, that many at once), beside sending them directly with as
// many connections.
func BenchmarkDeliver(b *testing.B) {
	for _, conc := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", conc), func(b *testing.B) {
			srv, got := countingServer(b)
			s := openStore(b, &postgres.Options{Transport: transport(b, srv.URL(), conc), Concurrency: conc})
			envs := benchEnvelopes(b, b.N)
			floor := direct(b, srv, envs, conc)
			got.Store(0)
			ctx := context.Background()
			for i := 0; i < len(envs); i += 1000 {
				items := make([]outbox.Item, 0, 1000)
				for _, e := range envs[i:min(i+1000, len(envs))] {
					items = append(items, outbox.Item{Env: e})
				}
				if err := s.EnqueueBatch(ctx, items); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			start := time.Now()
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			for got.Load() < int64(len(envs)) {
				time.Sleep(time.Millisecond)
			}
			pg := time.Since(start)
			b.StopTimer()
			if err := s.Shutdown(ctx); err != nil {
				b.Fatal(err)
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			report(b, len(envs), pg, floor)
		})
	}
}
