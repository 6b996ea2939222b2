package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

// The benchmarks of this file are the whole-process measures: a built
// mailtrail binary running send --batch and render --batch over records
// made by ../shared/bench/gen_records.py, beside go-mail doing the floor's
// work in the same run. One iteration is one whole batch; run them once:
//
//	go test -run '^$' -bench 'Process' -benchtime 1x ./cmd/mailtrail
//
// They are skipped when python3 or the shared folder is missing.

const benchShared = "../../../shared/bench"

// benchBinary builds the mailtrail binary once per benchmark.
func benchBinary(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "mailtrail")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// benchGenRecords writes n workload records with gen_records.py.
func benchGenRecords(b *testing.B, n int) string {
	b.Helper()
	gen := filepath.Join(benchShared, "gen_records.py")
	if _, err := os.Stat(gen); err != nil {
		b.Skipf("%s not found (clone the shared folder beside the repo)", gen)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		b.Skip("python3 not found")
	}
	out := filepath.Join(b.TempDir(), fmt.Sprintf("records-%d.jsonl", n))
	if msg, err := exec.Command(py, gen, strconv.Itoa(n), out).CombinedOutput(); err != nil {
		b.Fatalf("gen_records.py: %v\n%s", err, msg)
	}
	return out
}

// benchTemplateFile writes the workload template with its subject in
// front matter, as the CLI reads templates.
func benchTemplateFile(b *testing.B) string {
	b.Helper()
	body, err := os.ReadFile(filepath.Join(benchShared, "template.md"))
	if err != nil {
		b.Skipf("workload template: %v", err)
	}
	subject, err := os.ReadFile(filepath.Join(benchShared, "subject.txt"))
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "inspection.md")
	src := "---\nsubject: " + strings.TrimSpace(string(subject)) + "\n---\n" + string(body)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// benchRun runs the binary and returns its wall time and peak RSS in KiB,
// measured by /usr/bin/time (GNU time's %M) when it is installed, else 0.
// The rusage of a child started from this process would not do: after
// fork and exec, a child's ru_maxrss starts at the parent's RSS.
func benchRun(b *testing.B, bin string, args ...string) (time.Duration, int64) {
	b.Helper()
	rssFile := filepath.Join(b.TempDir(), "rss")
	name := bin
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		args = append([]string{"-f", "%M", "-o", rssFile, bin}, args...)
		name = "/usr/bin/time"
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "MAILTRAIL_SMTP_URL=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.Bytes())
	}
	el := time.Since(start)
	var rss int64
	if out, err := os.ReadFile(rssFile); err == nil {
		rss, _ = strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	}
	return el, rss
}

// benchGoMailFloor sends n messages, pre-rendered once from the first
// record (default layout, as the CLI renders), headers per message, over
// one go-mail connection; it returns the elapsed time.
func benchGoMailFloor(b *testing.B, addr, tplPath, records string, n int) time.Duration {
	b.Helper()
	src, err := os.ReadFile(tplPath)
	if err != nil {
		b.Fatal(err)
	}
	tpl, err := templates.Parse("inspection.md", src)
	if err != nil {
		b.Fatal(err)
	}
	type rec struct {
		To       string `json:"to"`
		Resource string `json:"resource"`
		Data     any    `json:"data"`
	}
	raw, err := os.ReadFile(records)
	if err != nil {
		b.Fatal(err)
	}
	var recs []rec
	for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var r rec
		if err := dec.Decode(&r); err != nil {
			b.Fatal(err)
		}
		recs = append(recs, r)
	}
	r, err := render.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	parts, err := r.Render(tpl, recs[0].Data)
	if err != nil {
		b.Fatal(err)
	}
	app, err := identity.ParseApp("fleet@example.com")
	if err != nil {
		b.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	start := time.Now()
	c, err := gomail.NewClient(host, gomail.WithPort(p), gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithHELO("bench.example"))
	if err != nil {
		b.Fatal(err)
	}
	if err := c.DialWithContext(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < n; i++ {
		rc := recs[i%len(recs)]
		st, err := app.Stamp(rc.Resource, "")
		if err != nil {
			b.Fatal(err)
		}
		gm := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithCharset(gomail.CharsetUTF8))
		if err := gm.From("fleet@example.com"); err != nil {
			b.Fatal(err)
		}
		if err := gm.To(rc.To); err != nil {
			b.Fatal(err)
		}
		gm.ReplyTo(st.ReplyTo)
		gm.Subject(st.Subject(parts.Subject))
		gm.SetMessageIDWithValue(strings.Trim(st.MessageID, "<>"))
		gm.SetGenHeader(gomail.HeaderReferences, st.References)
		gm.SetDate()
		gm.AddAlternativeString("application/json", string(parts.JSON), gomail.WithPartEncoding(gomail.EncodingQP))
		gm.AddAlternativeString(gomail.TypeTextPlain, parts.Text, gomail.WithPartEncoding(gomail.EncodingQP))
		gm.AddAlternativeString(gomail.TypeTextHTML, parts.HTML, gomail.WithPartEncoding(gomail.EncodingQP))
		if err := c.Send(gm); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

// BenchmarkProcess_sendBatch runs mailtrail send --batch of 2 000 workload
// records to a mailtest server at --concurrency 1, 2, 4 and 8, and go-mail
// sending the same number of pre-rendered messages over one connection
// in the same run. "x-floor" is mailtrail's throughput over go-mail's (the
// target is at least 0.9 at concurrency 1). Each setting runs with
// --outbox none (sending directly) and then with the durable folder outbox
// (the default), whose "x-direct" is its time over the direct run's just
// before it (the target is at most 1.1).
func BenchmarkProcess_sendBatch(b *testing.B) {
	const n = 2000
	records := benchGenRecords(b, n)
	tpl := benchTemplateFile(b)
	bin := benchBinary(b)
	srv := mailtest.NewServer(b, mailtest.DiscardMessages())
	var floor time.Duration
	b.Run("floor=go-mail", func(b *testing.B) {
		for b.Loop() {
			floor = benchGoMailFloor(b, srv.Addr(), tpl, records, n)
		}
		b.ReportMetric(n/floor.Seconds(), "msgs/s")
	})
	// outbox=folder is the default (the durable folder outbox, fsynced); outbox=none
	// sends directly, the report being the only ledger.
	for _, conc := range []int{1, 2, 4, 8} {
		var direct time.Duration
		for _, mode := range []string{"none", "folder"} {
			b.Run(fmt.Sprintf("outbox=%s/concurrency=%d", mode, conc), func(b *testing.B) {
				el := benchSendBatch(b, bin, tpl, records, srv.URL(), mode, conc, n, floor)
				if mode == "none" {
					direct = el
				} else if direct > 0 {
					b.ReportMetric(el.Seconds()/direct.Seconds(), "x-direct")
				}
			})
		}
	}
}

// benchSendBatch runs one send --batch per iteration and reports its
// throughput, peak RSS and ratio to the floor; it returns the last
// iteration's wall time.
func benchSendBatch(b *testing.B, bin, tpl, records, url, mode string, conc, n int, floor time.Duration) time.Duration {
	var el time.Duration
	var rss int64
	for b.Loop() {
		dir := b.TempDir()
		ob := filepath.Join(dir, "outbox")
		if mode == "none" {
			ob = "none"
		}
		el, rss = benchRun(b, bin, "send", "--template", tpl, "--batch", records, "--from", "Fleet desk <fleet@example.com>",
			"--smtp", url, "--concurrency", strconv.Itoa(conc), "--outbox", ob,
			"--report", filepath.Join(dir, "report.jsonl"), "--progress", "1h")
	}
	b.ReportMetric(float64(n)/el.Seconds(), "msgs/s")
	b.ReportMetric(float64(rss)/1024, "peak-RSS-MiB")
	if floor > 0 {
		b.ReportMetric(floor.Seconds()/el.Seconds(), "x-floor")
	}
	return el
}

// BenchmarkProcess_renderBatch runs mailtrail render --batch into an mbox
// file for 1 000 and 100 000 records and reports the peak RSS of each:
// streaming keeps the second within 20 MiB of the first.
func BenchmarkProcess_renderBatch(b *testing.B) {
	tpl := benchTemplateFile(b)
	bin := benchBinary(b)
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			records := benchGenRecords(b, n)
			var el time.Duration
			var rss int64
			for b.Loop() {
				out := filepath.Join(b.TempDir(), "out.mbox")
				el, rss = benchRun(b, bin, "render", "--template", tpl, "--batch", records, "--from", "Fleet desk <fleet@example.com>", "-o", out)
			}
			b.ReportMetric(float64(n)/el.Seconds(), "msgs/s")
			b.ReportMetric(float64(rss)/1024, "peak-RSS-MiB")
		})
	}
}
