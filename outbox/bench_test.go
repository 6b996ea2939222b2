package outbox_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox"
	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

// The benchmarks of this file run the shared workload (template, subject
// and layout in ../render/testdata/bench, records in
// ../mailer/testdata/bench/records.jsonl) through the folder store; the
// floors they compare with are mailer's SMTP benchmarks:
//
//	go test -run '^$' -bench 'SMTP' -benchmem ./mailer
//	go test -run '^$' -bench 'Folder' -benchmem ./outbox

// benchRecord is one line of records.jsonl, the shape send --batch reads.
type benchRecord struct {
	To       string `json:"to"`
	Resource string `json:"resource"`
	Data     any    `json:"data"`
}

// benchRecords reads the workload's records, data decoded as send --batch
// decodes it (json.Number).
func benchRecords(tb testing.TB) []benchRecord {
	tb.Helper()
	f, err := os.Open("../mailer/testdata/bench/records.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []benchRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		var r benchRecord
		if err := dec.Decode(&r); err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// benchWorkload returns the workload's template (subject in front matter)
// and render options with its layout.
func benchWorkload(tb testing.TB) (*templates.Template, *render.Options) {
	tb.Helper()
	const dir = "../render/testdata/bench/"
	read := func(name string) string {
		b, err := os.ReadFile(dir + name)
		if err != nil {
			tb.Fatal(err)
		}
		return string(b)
	}
	src := "---\nsubject: " + strings.TrimSpace(read("subject.txt")) + "\n---\n" + read("template.md")
	tpl, err := templates.Parse("bench.md", []byte(src))
	if err != nil {
		tb.Fatal(err)
	}
	l, err := render.ParseLayout("layout.html", read("layout.html"))
	if err != nil {
		tb.Fatal(err)
	}
	return tpl, &render.Options{Layout: l}
}

// benchMailer renders as an application does: real clock, random tokens.
func benchMailer(tb testing.TB, ropts *render.Options) *mailer.Renderer {
	tb.Helper()
	m, err := mailer.NewRenderer(mailer.Config{
		Identity: mailer.Identity{From: "Fleet desk <fleet@example.com>"},
		Render:   mailer.RenderConfig{Options: ropts},
		Logger:   discardLogger(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func benchSMTPServer(tb testing.TB) *mailtest.Server {
	return mailtest.NewServer(tb, mailtest.DiscardMessages())
}

func reportRate(b *testing.B, start time.Time, n int) {
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// BenchmarkFolder is the path of send --batch inside the library:
// enqueuers goroutines (send --batch uses 8) render and Enqueue into a
// durable Folder (a segment file fsynced per group), while Folder.Run
// delivers over conc connections. The folder is on the test's temporary
// folder (disk) and, where /dev/shm exists, on tmpfs, where fsync costs
// nothing: the difference is the price of durability on this machine.
// Its floor, in the same run, is direct=N: N goroutines rendering and
// sending each message themselves, as send --batch --outbox none does;
// "x-direct" is a delivering run's time per message over the floor's at
// the same concurrency.
func BenchmarkFolder(b *testing.B) {
	tpl, ropts := benchWorkload(b)
	recs := benchRecords(b)
	direct := map[int]float64{} // ns per message, by concurrency
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("direct=%d", conc), func(b *testing.B) {
			direct[conc] = benchDirect(b, tpl, ropts, recs, conc)
		})
	}
	dirs := map[string]func(b *testing.B) string{"disk": func(b *testing.B) string { return b.TempDir() }}
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		dirs["tmpfs"] = func(b *testing.B) string {
			d, err := os.MkdirTemp("/dev/shm", "mailtrail-bench-")
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	for _, where := range []string{"disk", "tmpfs"} {
		mkdir, ok := dirs[where]
		if !ok {
			continue
		}
		// conc 0: no Spool.Run, the enqueue side alone. batch: the
		// enqueuers render and hand their messages to one goroutine that
		// enqueues what is ready with EnqueueBatch, up to 256 at a time,
		// as send --batch does.
		for _, c := range [][3]int{{1, 8, 0}, {8, 8, 0}, {1, 64, 0}, {0, 8, 0}, {1, 8, 256}, {8, 8, 256}, {0, 8, 256}} {
			conc, enqueuers, batch := c[0], c[1], c[2]
			name := fmt.Sprintf("folder=%s/conc=%d/enqueuers=%d", where, conc, enqueuers)
			if batch > 0 {
				name += fmt.Sprintf("/batch=%d", batch)
			}
			b.Run(name, func(b *testing.B) {
				srv := benchSMTPServer(b)
				smtpCfg, err := mailer.ParseSMTPURL(srv.URL())
				if err != nil {
					b.Fatal(err)
				}
				smtpCfg.MaxConns = max(conc, 1)
				tr := mailer.NewSMTPTransport(smtpCfg, nil)
				defer tr.Close()
				sp, err := outbox.OpenFolder(filepath.Join(mkdir(b), "outbox"), &outbox.FolderOptions{Transport: tr, Concurrency: max(conc, 1), Logger: discardLogger()})
				if err != nil {
					b.Fatal(err)
				}
				m := benchMailer(b, ropts)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				runErr := make(chan error, 1)
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				if conc > 0 {
					go func() { runErr <- sp.Run(ctx) }()
				} else {
					runErr <- nil
				}
				var next atomic.Int64
				var wg sync.WaitGroup
				errs := make(chan error, enqueuers+1)
				ready := make(chan *mailer.Envelope, max(batch, 1))
				batchDone := make(chan struct{})
				if batch > 0 {
					go func() {
						defer close(batchDone)
						benchEnqueueBatches(ctx, sp, ready, batch, errs)
					}()
				}
				for range enqueuers {
					wg.Go(func() {
						for {
							i := int(next.Add(1)) - 1
							if i >= b.N {
								return
							}
							r := recs[i%len(recs)]
							env, err := m.Render(ctx, &mailer.Message{Parsed: tpl, To: []string{r.To}, Resource: r.Resource, Data: r.Data})
							if err == nil && batch > 0 {
								ready <- env
								continue
							}
							if err == nil {
								_, err = sp.Enqueue(ctx, env)
							}
							if err != nil {
								errs <- err
								return
							}
						}
					})
				}
				wg.Wait()
				close(ready)
				if batch > 0 {
					<-batchDone
				}
				if conc > 0 {
					if err := sp.WaitIdle(ctx, time.Now().Add(time.Minute)); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				reportRate(b, start, b.N)
				if floor := direct[conc]; conc > 0 && floor > 0 {
					b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N)/floor, "x-direct")
				}
				cancel()
				<-runErr
				select {
				case err := <-errs:
					b.Fatal(err)
				default:
				}
				if got := srv.Stats(); conc > 0 && got.Messages < b.N {
					b.Fatalf("server accepted %d messages, want %d", got.Messages, b.N)
				}
			})
		}
	}
}

// benchDirect renders and sends b.N workload messages over conc
// connections, each goroutine rendering and sending its own, and returns
// the time per message in nanoseconds.
func benchDirect(b *testing.B, tpl *templates.Template, ropts *render.Options, recs []benchRecord, conc int) float64 {
	srv := benchSMTPServer(b)
	smtpCfg, err := mailer.ParseSMTPURL(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	smtpCfg.MaxConns = conc
	tr := mailer.NewSMTPTransport(smtpCfg, nil)
	defer tr.Close()
	m := benchMailer(b, ropts)
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conc)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				r := recs[i%len(recs)]
				env, err := m.Render(ctx, &mailer.Message{Parsed: tpl, To: []string{r.To}, Resource: r.Resource, Data: r.Data})
				if err == nil {
					_, err = tr.Transmit(ctx, env)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	el := time.Since(start)
	reportRate(b, start, b.N)
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	return float64(el.Nanoseconds()) / float64(b.N)
}

// benchEnqueueBatches enqueues the envelopes of ready with EnqueueBatch,
// whatever is ready up to max at a time.
func benchEnqueueBatches(ctx context.Context, sp *outbox.Folder, ready <-chan *mailer.Envelope, max int, errs chan<- error) {
	items := make([]outbox.Item, 0, max)
	for env := range ready {
		items = append(items[:0], outbox.Item{Env: env})
	fill:
		for len(items) < max {
			select {
			case env, ok := <-ready:
				if !ok {
					break fill
				}
				items = append(items, outbox.Item{Env: env})
			default:
				break fill
			}
		}
		if err := sp.EnqueueBatch(ctx, items); err != nil {
			errs <- err
			for range ready {
			}
			return
		}
	}
}
