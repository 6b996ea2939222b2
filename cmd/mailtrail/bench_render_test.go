package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

// renderFloorEnv, set to "TEMPLATE RECORDS", makes this test binary the
// render floor's child process instead of running tests.
const renderFloorEnv = "MAILTRAIL_BENCH_RENDER_FLOOR"

// renderFloorChild runs the floor of BenchmarkProcess_renderBatchCPU when
// renderFloorEnv is set and reports whether it did: go-mail assembling one
// message per record of the batch file, the bodies rendered once from the
// first record (pre-rendered), the headers (To, Reply-To, Subject,
// Message-ID, References, Date) per record, each message written to
// io.Discard. Records are read line by line, To and resource decoded.
func renderFloorChild() bool {
	arg := os.Getenv(renderFloorEnv)
	if arg == "" {
		return false
	}
	tplPath, records, _ := strings.Cut(arg, " ")
	if err := renderFloor(tplPath, records); err != nil {
		fmt.Fprintln(os.Stderr, "render floor:", err)
		os.Exit(2)
	}
	return true
}

func renderFloor(tplPath, records string) error {
	src, err := os.ReadFile(tplPath)
	if err != nil {
		return err
	}
	tpl, err := templates.Parse("inspection.md", src)
	if err != nil {
		return err
	}
	r, err := render.New(nil)
	if err != nil {
		return err
	}
	app, err := identity.ParseApp("fleet@example.com")
	if err != nil {
		return err
	}
	f, err := os.Open(records)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var parts *render.Parts
	for sc.Scan() {
		var rec struct {
			To       string          `json:"to"`
			Resource string          `json:"resource"`
			Data     json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return err
		}
		if parts == nil {
			var data any
			dec := json.NewDecoder(strings.NewReader(string(rec.Data)))
			dec.UseNumber()
			if err := dec.Decode(&data); err != nil {
				return err
			}
			if parts, err = r.Render(tpl, data); err != nil {
				return err
			}
		}
		st, err := app.Stamp(rec.Resource, "")
		if err != nil {
			return err
		}
		gm := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithCharset(gomail.CharsetUTF8))
		if err := gm.From("Fleet desk <fleet@example.com>"); err != nil {
			return err
		}
		if err := gm.To(rec.To); err != nil {
			return err
		}
		if err := gm.ReplyTo(st.ReplyTo); err != nil {
			return err
		}
		gm.Subject(st.Subject(parts.Subject))
		gm.SetMessageIDWithValue(strings.Trim(st.MessageID, "<>"))
		gm.SetGenHeader(gomail.HeaderReferences, st.References)
		gm.SetDate()
		gm.AddAlternativeString("application/json", string(parts.JSON), gomail.WithPartEncoding(gomail.EncodingQP))
		gm.AddAlternativeString(gomail.TypeTextPlain, parts.Text, gomail.WithPartEncoding(gomail.EncodingQP))
		gm.AddAlternativeString(gomail.TypeTextHTML, parts.HTML, gomail.WithPartEncoding(gomail.EncodingQP))
		if _, err := gm.WriteTo(io.Discard); err != nil {
			return err
		}
	}
	return sc.Err()
}

// childCPU runs cmd and returns the CPU time (user + system) its process
// used: robust on a busy machine, where wall time counts other processes.
func childCPU(b *testing.B, cmd *exec.Cmd) time.Duration {
	b.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// BenchmarkProcess_renderBatchCPU runs, in turn within each iteration, the
// floor (this test binary as a go-mail process writing nothing, see
// renderFloorChild) and mailtrail render --batch of the same 20 000
// workload records into an mbox file, and reports the CPU time of each
// whole process and "x-floor", mailtrail's over the floor's. Run it with
// -benchtime 1x -count N: each count is one interleaved pair.
func BenchmarkProcess_renderBatchCPU(b *testing.B) {
	const n = 20000
	records := benchGenRecords(b, n)
	tpl := benchTemplateFile(b)
	bin := benchBinary(b)
	out := filepath.Join(b.TempDir(), "out.mbox")
	var floor, mt time.Duration
	for b.Loop() {
		fc := exec.Command(os.Args[0])
		fc.Env = append(os.Environ(), renderFloorEnv+"="+tpl+" "+records)
		floor += childCPU(b, fc)
		mc := exec.Command(bin, "render", "--template", tpl, "--batch", records, "--from", "Fleet desk <fleet@example.com>", "-o", out)
		mc.Env = append(os.Environ(), "MAILTRAIL_SMTP_URL=")
		mt += childCPU(b, mc)
	}
	b.ReportMetric(floor.Seconds()/float64(b.N), "floor-cpu-s")
	b.ReportMetric(mt.Seconds()/float64(b.N), "mailtrail-cpu-s")
	b.ReportMetric(float64(mt)/float64(floor), "x-floor")
}
