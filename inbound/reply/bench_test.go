package reply

import (
	"bytes"
	"fmt"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/inbound"
)

// The benchmarks of this file measure Parse + Trace (and ParseReply) over
// the corpora, the reply fixtures and replies to the workload's own
// messages, and the growth with the size of one message. Run them with
//
//	go test -run '^$' -bench 'Inbound' -benchmem ./inbound
//
// MB/s comes from SetBytes; msgs/s is reported beside it.

// benchCorpus reads every message file under dir (recursively) whose
// name matches one of the patterns.
func benchCorpus(b *testing.B, dir string, match func(string) bool) [][]byte {
	b.Helper()
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("corpus %s not found (clone the shared folder beside the repo): %v", dir, err)
	}
	var out [][]byte
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !match(path) {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out = append(out, data)
		return nil
	})
	if len(out) == 0 {
		b.Skipf("no messages in %s", dir)
	}
	return out
}

// workloadReplies are replies to messages of the benchmark workload, as a
// partner's client writes them: the app's identifiers in In-Reply-To and
// References, a short answer above the quoted message, text and HTML.
func workloadReplies(b *testing.B, n int) [][]byte {
	b.Helper()
	app := fleetApp(b)
	quoted, err := os.ReadFile("../render/testdata/bench/template.md")
	if err != nil {
		b.Fatal(err)
	}
	var q strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(quoted)), "\n") {
		q.WriteString("> " + line + "\n")
	}
	out := make([][]byte, n)
	for i := range out {
		st, err := app.Stamp(fmt.Sprintf("5f0c6b1e-8d2a-4c1b-9a77-%012d", i), fmt.Sprintf("tok%d", i))
		if err != nil {
			b.Fatal(err)
		}
		text := fmt.Sprintf("Confirmed for slot %d, the gate code is 12%02d. Zoé will be there.\n\nLe mar. 3 mars 2026 à 09:00, Fleet <fleet@example.com> a écrit :\n%s", i, i%100, q.String())
		html := "<div dir=\"ltr\">Confirmed, the gate code is 12" + fmt.Sprint(i%100) + ".</div><br><blockquote class=\"gmail_quote\">" +
			strings.ReplaceAll(q.String(), "\n", "<br>\n") + "</blockquote>"
		var m bytes.Buffer
		fmt.Fprintf(&m, "MIME-Version: 1.0\r\nDate: Tue, 3 Mar 2026 10:12:44 +0100\r\nReferences: %s %s\r\nIn-Reply-To: %s\r\n", st.References, st.MessageID, st.MessageID)
		fmt.Fprintf(&m, "Message-ID: <reply%d@mail.partner.example>\r\nSubject: Re: %s Inspection booked\r\nFrom: Partner <p%d@garage.example>\r\nTo: %s\r\n", i, st.Tag, i, st.ReplyTo)
		m.WriteString("Content-Type: multipart/alternative; boundary=\"b0\"\r\n\r\n")
		for _, p := range []struct{ ct, body string }{{"text/plain", text}, {"text/html", html}} {
			m.WriteString("--b0\r\nContent-Type: " + p.ct + "; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
			w := quotedprintable.NewWriter(&m)
			w.Write([]byte(p.body))
			w.Close()
			m.WriteString("\r\n")
		}
		m.WriteString("--b0--\r\n")
		out[i] = m.Bytes()
	}
	return out
}

// benchParseTrace parses and traces every message per iteration; with
// reply, ParseReply too (quotes, signature, data).
func benchParseTrace(b *testing.B, msgs [][]byte, reply bool) {
	b.Helper()
	app := fleetApp(b)
	total := 0
	for _, m := range msgs {
		total += len(m)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for _, data := range msgs {
			m, err := inbound.Parse(bytes.NewReader(data))
			if err != nil {
				continue // the corpora hold broken messages on purpose
			}
			_, _ = inbound.Trace(m, app)
			if reply {
				_ = Parse(m)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(msgs))/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(total)/float64(len(msgs)), "bytes/msg")
}

func BenchmarkInbound_corpus(b *testing.B) {
	isMsg := func(p string) bool {
		return strings.HasSuffix(p, ".eml") || strings.HasSuffix(p, ".txt") && strings.Contains(filepath.Base(p), "msg_")
	}
	sets := []struct {
		name  string
		load  func(b *testing.B) [][]byte
		reply bool
	}{
		{"cpython", func(b *testing.B) [][]byte {
			return benchCorpus(b, filepath.Join(corpora, "cpython-email", "data"), isMsg)
		}, false},
		{"talon", func(b *testing.B) [][]byte { return benchCorpus(b, filepath.Join(corpora, "talon"), isMsg) }, true},
		{"fixtures", func(b *testing.B) [][]byte { return benchCorpus(b, "../testdata/replies", isMsg) }, true},
		{"workload-replies", func(b *testing.B) [][]byte { return workloadReplies(b, 64) }, true},
	}
	for _, s := range sets {
		b.Run(s.name, func(b *testing.B) {
			benchParseTrace(b, s.load(b), s.reply)
		})
	}
}

// manyParts is a multipart/mixed message of n small text parts.
func manyParts(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.com\r\nTo: fleet+r1@example.com\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "--X\r\nContent-Type: text/plain; charset=utf-8\r\n\r\npart %d: Zoé checked the vehicle.\r\n", i)
	}
	b.WriteString("--X--\r\n")
	return b.Bytes()
}

// bigBody is a message with one quoted-printable text part of about size
// octets, quoted reply lines all along.
func bigBody(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 512)
	b.WriteString("From: a@example.com\r\nTo: fleet+r1@example.com\r\nSubject: big\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nAnswer on top.\r\n\r\n")
	line := "> the vehicle is accessible at the pick-up address, with the spare key =C3=A9\r\n"
	for b.Len() < size {
		b.WriteString(line)
	}
	return b.Bytes()
}

// BenchmarkInbound_growth parses messages 10, 100 and 1000 times as large:
// parts (10 → 10 000 parts) and bytes (50 KB → 50 MB). ns/op divided by
// the factor should stay flat (linear time); the limits are raised so
// that the whole message is parsed, not cut at DefaultMaxParts or
// DefaultMaxSize.
func BenchmarkInbound_growth(b *testing.B) {
	opts := &inbound.Options{MaxParts: 1 << 20, MaxSize: 1 << 30}
	run := func(b *testing.B, data []byte, unit int) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			m, err := inbound.ParseWith(bytes.NewReader(data), opts)
			if err != nil {
				b.Fatal(err)
			}
			_ = Parse(m)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(unit), "ns/unit")
	}
	for _, k := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprintf("parts=%d", 10*k), func(b *testing.B) { run(b, manyParts(10*k), 10*k) })
	}
	for _, k := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprintf("size=%dKB", 50*k), func(b *testing.B) { run(b, bigBody(50_000*k), 50_000*k) })
	}
}

func BenchmarkParseReply(b *testing.B) {
	var msgs []*inbound.Message
	for _, d := range benchCorpus(b, filepath.Join("..", "testdata", "replies"), func(name string) bool { return strings.HasSuffix(name, ".eml") }) {
		m, _ := inbound.Parse(bytes.NewReader(d))
		msgs = append(msgs, m)
	}
	for b.Loop() {
		for _, m := range msgs {
			Parse(m)
		}
	}
}
