package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
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
// "send --batch --spool none" does, and returns how long it took and the
// CPU time this process (client and server) spent.
func direct(b *testing.B, srv *mailtest.Server, envs []*mailer.Envelope, conc int) (time.Duration, time.Duration) {
	b.Helper()
	tr := transport(b, srv.URL(), conc)
	var next atomic.Int64
	var wg sync.WaitGroup
	start, cpu := time.Now(), procCPU("self", false)
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
	return time.Since(start), procCPU("self", false) - cpu
}

// procCPU returns the CPU time /proc says process pid has used (user and
// system), its reaped children's too when children is set; zero where
// /proc cannot tell.
func procCPU(pid string, children bool) time.Duration {
	f := procStat(pid)
	fields := []int{11, 12} // utime stime
	if children {
		fields = append(fields, 13, 14) // cutime cstime
	}
	var ticks int64
	for _, i := range fields {
		if i < len(f) {
			n, _ := strconv.ParseInt(f[i], 10, 64)
			ticks += n
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// procStat returns the fields of /proc/PID/stat after the command's name
// (the state is the first); nil where there is none.
func procStat(pid string) []string {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	i := bytes.LastIndexByte(b, ')')
	if err != nil || i < 0 || i+2 > len(b) {
		return nil
	}
	return strings.Fields(string(b[i+2:]))
}

// pgCPU returns the CPU time the PostgreSQL server of s has used: its
// postmaster's with its reaped children's (each connection is one), and
// its live processes'. On a busy machine the wall-clock rates say little
// about PostgreSQL's own cost; its CPU time per message does.
func pgCPU(b *testing.B, s *postgres.Store) time.Duration {
	var backend int
	if err := s.Pool().QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		b.Fatal(err)
	}
	f := procStat(strconv.Itoa(backend))
	if len(f) < 2 {
		return 0
	}
	postmaster := f[1] // the backend's parent
	cpu := procCPU(postmaster, true)
	children, _ := os.ReadFile("/proc/" + postmaster + "/task/" + postmaster + "/children")
	for _, pid := range strings.Fields(string(children)) {
		cpu += procCPU(pid, false)
	}
	return cpu
}

// cpuMeter measures the CPU time this process (the store's side, and in
// BenchmarkDeliver the loopback SMTP server too) and the PostgreSQL
// server spend from its start.
type cpuMeter struct {
	b       *testing.B
	s       *postgres.Store
	pg, own time.Duration
}

func startCPU(b *testing.B, s *postgres.Store) *cpuMeter {
	return &cpuMeter{b: b, s: s, pg: pgCPU(b, s), own: procCPU("self", false)}
}

// report reports both CPU times per message, for n messages, and their
// sum as a share of floor, the CPU time of sending them directly: on a
// busy machine, where the wall-clock rates of both sides swing with the
// load, the CPU times are the steadier measure.
func (m *cpuMeter) report(n int, floor time.Duration) {
	pg, own := pgCPU(m.b, m.s)-m.pg, procCPU("self", false)-m.own
	if pg > 0 {
		m.b.ReportMetric(float64(pg.Microseconds())/float64(n), "pg-cpu-µs/msg")
		m.b.ReportMetric(float64(own.Microseconds())/float64(n), "go-cpu-µs/msg")
		m.b.ReportMetric(float64(floor.Microseconds())/float64(n), "direct-cpu-µs/msg")
		m.b.ReportMetric(floor.Seconds()/(pg+own).Seconds(), "x-direct-cpu")
	}
}

func report(b *testing.B, n int, pg, floor time.Duration) {
	b.ReportMetric(float64(n)/pg.Seconds(), "msgs/s")
	b.ReportMetric(float64(n)/floor.Seconds(), "direct-msgs/s")
	b.ReportMetric(floor.Seconds()/pg.Seconds(), "x-direct")
	b.ReportMetric(0, "ns/op") // the wall time of both sides is not per message
}

// BenchmarkEnqueue enqueues one message per transaction, and batches of
// 1 000 in one transaction (EnqueueBatch), from one goroutine and from
// two at once (streams), beside sending the same messages directly over
// one connection.
func BenchmarkEnqueue(b *testing.B) {
	for _, c := range []struct{ batch, streams int }{{1, 1}, {1000, 1}, {1000, 2}} {
		b.Run(fmt.Sprintf("batch=%d/streams=%d", c.batch, c.streams), func(b *testing.B) {
			s := openStore(b, nil)
			envs := benchEnvelopes(b, b.N)
			srv, _ := countingServer(b)
			floor, floorCPU := direct(b, srv, envs, 1)
			ctx := context.Background()
			b.ResetTimer()
			start, cpu := time.Now(), startCPU(b, s)
			var next atomic.Int64
			var wg sync.WaitGroup
			for range c.streams {
				wg.Go(func() {
					for {
						i := int(next.Add(int64(c.batch))) - c.batch
						if i >= len(envs) {
							return
						}
						items := make([]outbox.Item, 0, c.batch)
						for _, e := range envs[i:min(i+c.batch, len(envs))] {
							items = append(items, outbox.Item{Key: e.MessageID, Env: e})
						}
						if err := s.EnqueueBatch(ctx, items); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			pg := time.Since(start)
			b.StopTimer()
			report(b, len(envs), pg, floor)
			cpu.report(len(envs), floorCPU)
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
			floor, floorCPU := direct(b, srv, envs, conc)
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
			start, cpu := time.Now(), startCPU(b, s)
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			for got.Load() < int64(len(envs)) {
				time.Sleep(time.Millisecond)
			}
			pg := time.Since(start)
			b.StopTimer()
			cpu.report(len(envs), floorCPU)
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
