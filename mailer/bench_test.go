package mailer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

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
		From:   "Fleet desk <fleet@example.com>",
		Render: ropts,
		Outbox: tb.TempDir(),
		Getenv: func(string) string { return "" },
		Logger: discardLogger(),
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
	parts, err := m.renderer.Render(tpl, rec.Data)
	if err != nil {
		tb.Fatal(err)
	}
	return &floorMsg{from: "Fleet desk <fleet@example.com>", parts: parts}
}

func (f *floorMsg) write(buf *bytes.Buffer, m *Mailer, rec benchRecord, token string) error {
	stamp, err := m.app.Stamp(rec.Resource, token)
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

// BenchmarkWorkloadRatio runs one floor message and one mailtrail message
// per iteration, timing each, and reports mailtrail's cost in floor
// messages ("x-floor"; the target is at most 1.25). Interleaving puts both
// under the same machine noise.
func BenchmarkWorkloadRatio(b *testing.B) {
	tpl, ropts := benchWorkload(b)
	m := benchMailer(b, ropts)
	recs := benchRecords(b)
	fl := newFloor(b, m, tpl, recs[0])
	ctx := context.Background()
	var buf bytes.Buffer
	var floor, ours time.Duration
	for i := 0; b.Loop(); i++ {
		r := recs[i%len(recs)]
		t0 := time.Now()
		if err := fl.write(&buf, m, r, "t"); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := m.Render(ctx, &Message{Parsed: tpl, To: []string{r.To}, Resource: r.Resource, Data: r.Data}); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		floor += t1.Sub(t0)
		ours += t2.Sub(t1)
	}
	b.ReportMetric(float64(floor.Nanoseconds())/float64(b.N), "floor-ns/msg")
	b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "mailtrail-ns/msg")
	b.ReportMetric(float64(ours)/float64(floor), "x-floor")
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
