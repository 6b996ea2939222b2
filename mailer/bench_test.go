package mailer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	gomail "github.com/wneessen/go-mail"

	"github.com/mailtrail/mailtrail/mailer/mailtest"

	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

// The benchmarks of this file measure the shared workload (template,
// subject and layout in ../render/testdata/bench, records made by
// gen_records.py in testdata/bench/records.jsonl) against its floor:
// go-mail assembling pre-rendered bodies, only the headers changing per
// message. Run them side by side:
//
//	go test -run '^$' -bench 'Workload' -benchmem ./mailer
//
// BenchmarkWorkloadRatio interleaves the two in one loop and reports
// "x-floor", the cost of one mailtrail message in floor messages.

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
	f, err := os.Open("testdata/bench/records.jsonl")
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

// benchMailer is a Mailer as an application runs it: real clock, random
// tokens and boundaries; nothing is delivered (Render only).
func benchMailer(tb testing.TB, ropts *render.Options) *Mailer {
	tb.Helper()
	m, err := New(Config{
		Identity:  Identity{From: "Fleet desk <fleet@example.com>"},
		Render:    RenderConfig{Options: ropts},
		Transport: TransportConfig{Use: NewFileTransport(tb.TempDir(), nil), Getenv: func(string) string { return "" }},
		Logger:    discardLogger(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	return m
}

// floorMsg builds the floor's message: go-mail with the pre-rendered parts
// of one record and this record's headers (To, Subject, Reply-To,
// Message-ID, References, Date), the same headers and structure mailtrail
// writes (JSON, text, HTML alternatives, quoted-printable).
type floorMsg struct {
	from  string
	parts *render.Parts
}

func newFloor(tb testing.TB, m *Mailer, tpl *templates.Template, rec benchRecord) *floorMsg {
	tb.Helper()
	parts, err := m.r.renderer.Render(tpl, rec.Data)
	if err != nil {
		tb.Fatal(err)
	}
	return &floorMsg{from: "Fleet desk <fleet@example.com>", parts: parts}
}

func (f *floorMsg) write(buf *bytes.Buffer, m *Mailer, rec benchRecord, token string) error {
	stamp, err := m.r.app.Stamp(rec.Resource, token)
	if err != nil {
		return err
	}
	gm := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithCharset(gomail.CharsetUTF8))
	if err := gm.From(f.from); err != nil {
		return err
	}
	if err := gm.To(rec.To); err != nil {
		return err
	}
	if err := gm.ReplyTo(stamp.ReplyTo); err != nil {
		return err
	}
	gm.Subject(stamp.Subject(f.parts.Subject))
	gm.SetMessageIDWithValue(strings.Trim(stamp.MessageID, "<>"))
	gm.SetGenHeader(gomail.HeaderReferences, stamp.References)
	gm.SetDate()
	gm.AddAlternativeString("application/json", string(f.parts.JSON), gomail.WithPartEncoding(gomail.EncodingQP))
	gm.AddAlternativeString(gomail.TypeTextPlain, f.parts.Text, gomail.WithPartEncoding(gomail.EncodingQP))
	gm.AddAlternativeString(gomail.TypeTextHTML, f.parts.HTML, gomail.WithPartEncoding(gomail.EncodingQP))
	buf.Reset()
	_, err = gm.WriteTo(buf)
	return err
}

// BenchmarkWorkload_floor is the floor: go-mail assembling pre-rendered
// bodies (rendered once, outside the loop); per message only the headers
// change.
func BenchmarkWorkload_floor(b *testing.B) {
	tpl, ropts := benchWorkload(b)
	m := benchMailer(b, ropts)
	recs := benchRecords(b)
	fl := newFloor(b, m, tpl, recs[0])
	var buf bytes.Buffer
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		if err := fl.write(&buf, m, recs[i%len(recs)], fmt.Sprintf("t%d", i)); err != nil {
			b.Fatal(err)
		}
		n += buf.Len()
	}
	b.ReportMetric(float64(n)/float64(b.N), "bytes/msg")
}

// BenchmarkWorkload_mailtrail is one message of the workload through
// Mailer.Render: fill, escape, Markdown, sanitize, layout, text, JSON,
// identity headers and the full RFC 5322 bytes.
func BenchmarkWorkload_mailtrail(b *testing.B) {
	tpl, ropts := benchWorkload(b)
	m := benchMailer(b, ropts)
	recs := benchRecords(b)
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		r := recs[i%len(recs)]
		env, err := m.Render(ctx, &Message{Parsed: tpl, To: []string{r.To}, Resource: r.Resource, Data: r.Data})
		if err != nil {
			b.Fatal(err)
		}
		n += len(env.Data)
	}
	b.ReportMetric(float64(n)/float64(b.N), "bytes/msg")
}

// ratioBlock is how many messages each side sends in a row in the ratio
// benchmarks: long enough for the CPU clock, short enough that both
// sides see the same machine.
const ratioBlock = 32

// ratioClock accumulates the wall and CPU time of the two sides of a
// ratio benchmark.
type ratioClock struct {
	wall, cpu [2]time.Duration
}

// time runs fn and charges its wall and CPU time to side.
func (c *ratioClock) time(side int, fn func()) {
	w, p := time.Now(), cpuTime()
	fn()
	c.cpu[side] += cpuTime() - p
	c.wall[side] += time.Since(w)
}

// report reports each side per message and their ratios: "x-floor" on CPU
// time (robust on a busy machine), "x-floor-wall" on wall time.
func (c *ratioClock) report(b *testing.B, n int, perMsgNames [2]string) {
	for side := range 2 {
		b.ReportMetric(float64(c.wall[side].Nanoseconds())/float64(n), perMsgNames[side])
	}
	if c.cpu[0] > 0 {
		b.ReportMetric(float64(c.cpu[1])/float64(c.cpu[0]), "x-floor")
	}
	b.ReportMetric(float64(c.wall[1])/float64(c.wall[0]), "x-floor-wall")
}

// BenchmarkWorkloadRatio alternates blocks of floor messages and mailtrail
// messages, timing each block, and reports mailtrail's cost in floor
// messages: "x-floor" on CPU time, "x-floor-wall" on wall time (the target
// is at most 1.25). One iteration is one message of each.
func BenchmarkWorkloadRatio(b *testing.B) {
	tpl, ropts := benchWorkload(b)
	m := benchMailer(b, ropts)
	recs := benchRecords(b)
	fl := newFloor(b, m, tpl, recs[0])
	ctx := context.Background()
	var buf bytes.Buffer
	var clock ratioClock
	n := 0
	for b.Loop() {
		base := n
		clock.time(0, func() {
			for i := base; i < base+ratioBlock; i++ {
				if err := fl.write(&buf, m, recs[i%len(recs)], "t"); err != nil {
					b.Fatal(err)
				}
			}
		})
		clock.time(1, func() {
			for i := base; i < base+ratioBlock; i++ {
				r := recs[i%len(recs)]
				if _, err := m.Render(ctx, &Message{Parsed: tpl, To: []string{r.To}, Resource: r.Resource, Data: r.Data}); err != nil {
					b.Fatal(err)
				}
			}
		})
		n += ratioBlock
	}
	clock.report(b, n, [2]string{"floor-ns/msg", "mailtrail-ns/msg"})
}

// scaledRecord returns r with every string value repeated k times (the
// note, the names, the address…): a message about k times larger with the
// same template and so the same parse tree.
func scaledRecord(r benchRecord, k int) benchRecord {
	var scale func(v any) any
	scale = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(v))
			for key, x := range v {
				out[key] = scale(x)
			}
			return out
		case string:
			return strings.Repeat(v+" ", k-1) + v
		}
		return v
	}
	r.Data = scale(r.Data)
	return r
}

// BenchmarkWorkload_size renders the workload with data 1×, 10× and 100×
// as large: allocations and bytes per message should follow the message
// size (the values), not the template's parse tree, which stays the same.
func BenchmarkWorkload_size(b *testing.B) {
	tpl, ropts := benchWorkload(b)
	ropts.MaxValueSize = 1 << 20
	recs := benchRecords(b)
	ctx := context.Background()
	for _, k := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("data=%dx", k), func(b *testing.B) {
			m := benchMailer(b, ropts)
			scaled := make([]benchRecord, 8)
			for i := range scaled {
				scaled[i] = scaledRecord(recs[i], k)
			}
			b.ReportAllocs()
			n := 0
			for i := 0; b.Loop(); i++ {
				r := scaled[i%len(scaled)]
				env, err := m.Render(ctx, &Message{Parsed: tpl, To: []string{r.To}, Resource: r.Resource, Data: r.Data})
				if err != nil {
					b.Fatal(err)
				}
				n += len(env.Data)
			}
			b.ReportMetric(float64(n)/float64(b.N), "bytes/msg")
		})
	}
}

// The SMTP benchmarks send the workload to an in-process mailtest server
// (127.0.0.1, messages counted and discarded), one message per iteration.
// msgs/s is the throughput; the floors are go-mail's Client sending the
// pre-rendered parts (headers per message) over one reused connection,
// and go-smtp's bare client sending pre-serialized bytes ("raw").
//
//	go test -run '^$' -bench 'SMTP' -benchmem ./mailer

// benchSMTPServer starts a discarding server.
func benchSMTPServer(tb testing.TB) (*mailtest.Server, string, int) {
	tb.Helper()
	srv := mailtest.NewServer(tb, mailtest.DiscardMessages())
	host, port, err := net.SplitHostPort(srv.Addr())
	if err != nil {
		tb.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return srv, host, p
}

// gomailClient dials go-mail's client once; Send reuses the connection.
func gomailClient(tb testing.TB, host string, port int) *gomail.Client {
	tb.Helper()
	c, err := gomail.NewClient(host, gomail.WithPort(port), gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithHELO("bench.example"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.DialWithContext(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// floorGoMailMsg is floorMsg.write as a go-mail message for its Client.
func (f *floorMsg) msg(m *Mailer, rec benchRecord, token string) (*gomail.Msg, error) {
	stamp, err := m.r.app.Stamp(rec.Resource, token)
	if err != nil {
		return nil, err
	}
	gm := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithCharset(gomail.CharsetUTF8))
	if err := gm.From(f.from); err != nil {
		return nil, err
	}
	if err := gm.To(rec.To); err != nil {
		return nil, err
	}
	if err := gm.ReplyTo(stamp.ReplyTo); err != nil {
		return nil, err
	}
	gm.Subject(stamp.Subject(f.parts.Subject))
	gm.SetMessageIDWithValue(strings.Trim(stamp.MessageID, "<>"))
	gm.SetGenHeader(gomail.HeaderReferences, stamp.References)
	gm.SetDate()
	gm.AddAlternativeString("application/json", string(f.parts.JSON), gomail.WithPartEncoding(gomail.EncodingQP))
	gm.AddAlternativeString(gomail.TypeTextPlain, f.parts.Text, gomail.WithPartEncoding(gomail.EncodingQP))
	gm.AddAlternativeString(gomail.TypeTextHTML, f.parts.HTML, gomail.WithPartEncoding(gomail.EncodingQP))
	return gm, nil
}

func reportRate(b *testing.B, start time.Time, n int) {
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkSMTP_floorGoMail: go-mail's Client, one reused connection,
// pre-rendered parts, headers per message.
func BenchmarkSMTP_floorGoMail(b *testing.B) {
	tpl, ropts := benchWorkload(b)
	m := benchMailer(b, ropts)
	recs := benchRecords(b)
	fl := newFloor(b, m, tpl, recs[0])
	_, host, port := benchSMTPServer(b)
	c := gomailClient(b, host, port)
	b.ReportAllocs()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		gm, err := fl.msg(m, recs[i%len(recs)], "t")
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Send(gm); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, start, b.N)
}

// BenchmarkSMTP_floorRaw: go-smtp's bare client, one connection, the same
// pre-serialized message every time (no assembly at all).
func BenchmarkSMTP_floorRaw(b *testing.B) {
	tpl, ropts := benchWorkload(b)
	m := benchMailer(b, ropts)
	recs := benchRecords(b)
	env, err := m.Render(context.Background(), &Message{Parsed: tpl, To: []string{recs[0].To}, Resource: recs[0].Resource, Data: recs[0].Data})
	if err != nil {
		b.Fatal(err)
	}
	srv, _, _ := benchSMTPServer(b)
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if err := c.SendMail(env.From, env.To, bytes.NewReader(env.Data)); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, start, b.N)
}

// BenchmarkSMTP_mailtrail: Mailer.Send (render, assemble, deliver) from
// conc goroutines sharing a Mailer with max_conns=conc.
func BenchmarkSMTP_mailtrail(b *testing.B) {
	tpl, ropts := benchWorkload(b)
	recs := benchRecords(b)
	for _, conc := range []int{1, 2, 4, 8} {
		for _, pipe := range []bool{true, false} {
			b.Run(fmt.Sprintf("conc=%d/pipelining=%v", conc, pipe), func(b *testing.B) {
				benchSMTPMailtrail(b, tpl, ropts, recs, conc, pipe)
			})
		}
	}
}

// benchSMTPMailtrail is one setting of BenchmarkSMTP_mailtrail: conc
// senders over as many connections, PIPELINING used or not.
func benchSMTPMailtrail(b *testing.B, tpl *templates.Template, ropts *render.Options, recs []benchRecord, conc int, pipe bool) {
	srv, _, _ := benchSMTPServer(b)
	cfg, err := ParseSMTPURL(srv.URL() + "?max_conns=" + strconv.Itoa(conc))
	if err != nil {
		b.Fatal(err)
	}
	cfg.NoPipelining = !pipe
	m, err := New(Config{
		Identity:  Identity{From: "Fleet desk <fleet@example.com>"},
		Render:    RenderConfig{Options: ropts},
		Transport: TransportConfig{SMTP: cfg, Getenv: func(string) string { return "" }},
		Logger:    discardLogger(),
	})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conc)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				r := recs[i%len(recs)]
				if _, err := m.Send(ctx, &Message{Parsed: tpl, To: []string{r.To}, Resource: r.Resource, Data: r.Data}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	reportRate(b, start, b.N)
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}

// BenchmarkSMTPRatio alternates blocks of messages sent through go-mail's
// Client and through Mailer.Send (each over its own reused connection to
// its own server), and reports mailtrail's throughput as a fraction of
// go-mail's on wall time ("x-floor-throughput"; the target is at least
// 0.9). One iteration is one message of each.
func BenchmarkSMTPRatio(b *testing.B) {
	tpl, ropts := benchWorkload(b)
	recs := benchRecords(b)
	_, host, port := benchSMTPServer(b)
	c := gomailClient(b, host, port)
	srv2, _, _ := benchSMTPServer(b)
	m, err := New(Config{
		Identity:  Identity{From: "Fleet desk <fleet@example.com>"},
		Render:    RenderConfig{Options: ropts},
		Transport: TransportConfig{URL: srv2.URL(), Getenv: func(string) string { return "" }},
		Logger:    discardLogger(),
	})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	fl := newFloor(b, m, tpl, recs[0])
	ctx := context.Background()
	var clock ratioClock
	n := 0
	for b.Loop() {
		base := n
		clock.time(0, func() {
			for i := base; i < base+ratioBlock; i++ {
				gm, err := fl.msg(m, recs[i%len(recs)], "t")
				if err != nil {
					b.Fatal(err)
				}
				if err := c.Send(gm); err != nil {
					b.Fatal(err)
				}
			}
		})
		clock.time(1, func() {
			for i := base; i < base+ratioBlock; i++ {
				r := recs[i%len(recs)]
				if _, err := m.Send(ctx, &Message{Parsed: tpl, To: []string{r.To}, Resource: r.Resource, Data: r.Data}); err != nil {
					b.Fatal(err)
				}
			}
		})
		n += ratioBlock
	}
	b.ReportMetric(float64(n)/clock.wall[0].Seconds(), "floor-msgs/s")
	b.ReportMetric(float64(n)/clock.wall[1].Seconds(), "mailtrail-msgs/s")
	b.ReportMetric(float64(clock.wall[0])/float64(clock.wall[1]), "x-floor-throughput")
}
