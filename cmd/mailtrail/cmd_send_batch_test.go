package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox/batch"
)

// sendBatchTestEnv is an env with captured output and no variables.
func sendBatchTestEnv() (*env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}, &stdout, &stderr
}

// sendBatchReadReport reads a report file, sorted by line.
func sendBatchReadReport(t *testing.T, path string) []batch.Entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []batch.Entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e batch.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("report line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// sendBatchMixed writes records with three bad ones among good ones:
// line 3 is not JSON, line 5 misses its data, line 7 has a bad address;
// line 4 is blank and not a record.
func sendBatchMixed(t *testing.T, dir string) (tmpl, records string) {
	t.Helper()
	tmpl, _ = sendBatchWorkload(t, dir, 0)
	lines := []string{
		`{"to":"r1@partner.test","resource":"res-1","data":{"name":"A","order":{"ref":"WO-1","plate":"AA","date":"d"}}}`,
		`{"to":["r2@partner.test","r2b@partner.test"],"resource":"res-2","data":{"name":"B","order":{"ref":"WO-2","plate":"BB","date":"d"}}}`,
		`{"to": "r3@partner.test", "resource": "res-3", "data": {`,
		``,
		`{"to":"r5@partner.test","resource":"res-5"}`,
		`{"to":"r6@partner.test","resource":"res-6","data":{"name":"F","order":{"ref":"WO-6","plate":"FF","date":"d"}}}`,
		`{"to":"not an address","resource":"res-7","data":{"name":"G","order":{"ref":"WO-7","plate":"GG","date":"d"}}}`,
		`{"to":"r8@partner.test","data":{"name":"H","order":{"ref":"WO-8","plate":"HH","date":"d"}}}`,
	}
	records = filepath.Join(dir, "mixed.jsonl")
	if err := os.WriteFile(records, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return tmpl, records
}

func TestSendBatch_smtp(t *testing.T) {
	srv := mailtest.NewServer(t)
	dir := t.TempDir()
	tmpl, records := sendBatchMixed(t, dir)
	report := filepath.Join(dir, "report.jsonl")
	args := []string{"send", "--template", tmpl, "--batch", records, "--from", "fleet@example.com",
		"--smtp", srv.URL(), "--concurrency", "2", "--report", report, "--progress", "1ns"}

	e, stdout, stderr := sendBatchTestEnv()
	if code := run(context.Background(), e, args); code != sendBatchExitFailed {
		t.Fatalf("send --batch exit %d, want %d (some records bad)\nstdout:\n%s\nstderr:\n%s", code, sendBatchExitFailed, stdout, stderr)
	}
	if got := len(srv.Messages()); got != 4 {
		t.Errorf("server accepted %d messages, want 4 (lines 1, 2, 6, 8)", got)
	}

	t.Run("summary", func(t *testing.T) {
		out := stdout.String()
		for _, want := range []string{
			"batch " + records + ": 7 records in ",
			"  sent:     4\n",
			"  failed:   0\n",
			"  invalid:  3\n",
			"line 3: invalid: not a JSON object",
			`line 5: invalid: missing "data"`,
			"line 7: invalid: ",
			"report: " + report,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("summary lacks %q:\n%s", want, out)
			}
		}
		if !regexp.MustCompile(`records in [0-9.]+m?s, \d+ messages/s`).MatchString(out) {
			t.Errorf("summary lacks duration and rate:\n%s", out)
		}
	})

	t.Run("report", func(t *testing.T) {
		got := sendBatchReadReport(t, report)
		want := []struct {
			line   int
			status batch.Status
		}{{1, "sent"}, {2, "sent"}, {3, "invalid"}, {5, "invalid"}, {6, "sent"}, {7, "invalid"}, {8, "sent"}}
		if len(got) != len(want) {
			t.Fatalf("report has %d lines, want %d: %+v", len(got), len(want), got)
		}
		for i, w := range want {
			g := got[i]
			if g.Line != w.line || g.Status != w.status {
				t.Errorf("report[%d] = line %d %s, want line %d %s", i, g.Line, g.Status, w.line, w.status)
			}
			if g.Status == "sent" && !strings.HasPrefix(g.MessageID, "<fleet+") {
				t.Errorf("report line %d message_id = %q, want the Message-ID", g.Line, g.MessageID)
			}
			if g.Status == "invalid" && g.Error == "" {
				t.Errorf("report line %d has no error", g.Line)
			}
		}
		if got[1].To != "r2@partner.test, r2b@partner.test" {
			t.Errorf("report line 2 to = %q, want both recipients", got[1].To)
		}
		if got[0].Resource != "res-1" || got[6].Resource == "" {
			t.Errorf("resources = %q, %q; want res-1 and a new id for line 8", got[0].Resource, got[6].Resource)
		}
	})

	t.Run("progress lines", func(t *testing.T) {
		if !strings.Contains(stderr.String(), "progress: 7/7 records (100%), 3 failed") {
			t.Errorf("stderr lacks the plain progress lines:\n%s", stderr)
		}
		if strings.Contains(stderr.String(), "\r") {
			t.Errorf("stderr holds a carriage return; not a terminal, want plain lines")
		}
	})

	t.Run("rerun skips what went out", func(t *testing.T) {
		e, stdout, stderr := sendBatchTestEnv()
		if code := run(context.Background(), e, args); code != sendBatchExitFailed {
			t.Fatalf("re-run exit %d\n%s%s", code, stdout, stderr)
		}
		if got := len(srv.Messages()); got != 4 {
			t.Errorf("server has %d messages after the re-run, want still 4", got)
		}
		if !strings.Contains(stdout.String(), "sent:     0 (and 4 sent by an earlier run, skipped)") {
			t.Errorf("re-run summary:\n%s", stdout)
		}
		for _, g := range sendBatchReadReport(t, report) {
			if g.Status == "sent" && !g.Previously {
				t.Errorf("re-run report line %d: sent, not marked previously", g.Line)
			}
		}
	})
}

// Records the server refuses are failed with the server's reason; records
// it defers stay queued and the exit code says so.
func TestSendBatch_serverRefusals(t *testing.T) {
	srv := mailtest.NewServer(t,
		mailtest.RejectRcptFor("r1@partner.test", 550),
		mailtest.RejectRcptFor("r2@partner.test", 451))
	dir := t.TempDir()
	tmpl, records := sendBatchWorkload(t, dir, 4)

	e, stdout, stderr := sendBatchTestEnv()
	code := run(context.Background(), e, []string{"send", "--template", tmpl, "--batch", records,
		"--from", "fleet@example.com", "--smtp", srv.URL(), "--wait", "2s", "--progress", "1h"})
	if code != sendBatchExitFailed {
		t.Fatalf("exit %d, want %d\n%s%s", code, sendBatchExitFailed, stdout, stderr)
	}
	out := stdout.String()
	for _, want := range []string{"  sent:     2\n", "  failed:   1\n", "  queued:   1 ", "550 5.1.1", "outbox: " + records + ".outbox"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(records+".outbox", "failed")); err != nil {
		t.Errorf("no spool beside the batch: %v", err)
	}

	// Only a deferred record and no failure: exit 3.
	tmpl3, records3 := sendBatchWorkload(t, t.TempDir(), 3)
	srv3 := mailtest.NewServer(t, mailtest.RejectRcptFor("r2@partner.test", 451))
	e, stdout, _ = sendBatchTestEnv()
	code = run(context.Background(), e, []string{"send", "--template", tmpl3, "--batch", records3,
		"--from", "fleet@example.com", "--smtp", srv3.URL(), "--wait", "2s", "--progress", "1h"})
	if code != sendBatchExitQueued {
		t.Errorf("only a deferred record: exit %d, want %d\n%s", code, sendBatchExitQueued, stdout)
	}
}

// Without SMTP the batch goes to the local outbox, and the report is the
// ledger of a re-run.
func TestSendBatch_outbox(t *testing.T) {
	dir := t.TempDir()
	tmpl, records := sendBatchWorkload(t, dir, 5)
	outbox := filepath.Join(dir, "outbox")
	report := filepath.Join(dir, "report.jsonl")
	args := []string{"send", "--template", tmpl, "--batch", records, "--from", "fleet@example.com",
		"--smtp", "file:" + outbox, "--report", report, "--concurrency", "2", "--progress", "1h"}
	for round := 1; round <= 2; round++ {
		e, stdout, stderr := sendBatchTestEnv()
		if code := run(context.Background(), e, args); code != 0 {
			t.Fatalf("round %d: exit %d\n%s%s", round, code, stdout, stderr)
		}
		files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
		if len(files) != 5 {
			t.Errorf("round %d: outbox holds %d files, want 5", round, len(files))
		}
	}
	for _, g := range sendBatchReadReport(t, report) {
		if g.Status != "sent" || !g.Previously {
			t.Errorf("second report line %d = %s previously=%v, want sent previously", g.Line, g.Status, g.Previously)
		}
	}
}

func TestSendBatch_usage(t *testing.T) {
	tmpl, _ := sendBatchWorkload(t, t.TempDir(), 0)
	e, _, stderr := sendBatchTestEnv()
	code := run(context.Background(), e, []string{"send", "--template", tmpl, "--batch", filepath.Join(t.TempDir(), "none.jsonl"), "--from", "fleet@example.com"})
	if code == 0 || !strings.Contains(stderr.String(), "none.jsonl") {
		t.Errorf("missing batch file: exit %d, stderr %q; want an error naming it", code, stderr)
	}
}

// --spool none sends directly over reused connections; the report is the
// ledger of a re-run.
func TestSendBatch_direct(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.RejectRcptFor("r3@partner.test", 550))
	dir := t.TempDir()
	tmpl, records := sendBatchWorkload(t, dir, 6)
	report := filepath.Join(dir, "report.jsonl")
	args := []string{"send", "--template", tmpl, "--batch", records, "--from", "fleet@example.com",
		"--smtp", srv.URL(), "--spool", "none", "--concurrency", "2", "--report", report, "--progress", "1h"}
	e, stdout, stderr := sendBatchTestEnv()
	if code := run(context.Background(), e, args); code != sendBatchExitFailed {
		t.Fatalf("exit %d, want %d\n%s%s", code, sendBatchExitFailed, stdout, stderr)
	}
	if !strings.Contains(stdout.String(), "  sent:     5\n") || !strings.Contains(stdout.String(), "  failed:   1\n") {
		t.Errorf("summary:\n%s", stdout)
	}
	if _, err := os.Stat(records + ".outbox"); err == nil {
		t.Errorf("--spool none made an outbox")
	}
	conns := map[int]bool{}
	for _, m := range srv.Messages() {
		conns[m.Conn] = true
	}
	if len(srv.Messages()) != 5 || len(conns) > 2 {
		t.Errorf("%d messages over %d connections, want 5 over at most 2", len(srv.Messages()), len(conns))
	}
	e, stdout, _ = sendBatchTestEnv()
	run(context.Background(), e, args)
	if len(srv.Messages()) != 5 {
		t.Errorf("re-run sent %d more, want 0", len(srv.Messages())-5)
	}
	if !strings.Contains(stdout.String(), "(and 5 sent by an earlier run, skipped)") {
		t.Errorf("re-run summary:\n%s", stdout)
	}
}

// A record's Message-ID is the same each time the same batch file is sent,
// so that a copy sent again after a crash can be recognised; another batch
// file gives other Message-IDs.
func TestSendBatch_deterministicMessageID(t *testing.T) {
	dir := t.TempDir()
	tmpl, records := sendBatchWorkload(t, dir, 3)
	ids := func(records, outbox string) []string {
		e, stdout, stderr := sendBatchTestEnv()
		if code := run(context.Background(), e, []string{"send", "--template", tmpl, "--batch", records,
			"--from", "fleet@example.com", "--smtp", "file:" + outbox, "--progress", "1h"}); code != 0 {
			t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
		var out []string
		files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			m := regexp.MustCompile(`(?m)^Message-ID: (<[^>]+>)`).FindSubmatch(b)
			if m == nil {
				t.Fatalf("%s has no Message-ID", f)
			}
			out = append(out, string(m[1]))
		}
		sort.Strings(out)
		return out
	}
	first := ids(records, filepath.Join(dir, "out1"))
	second := ids(records, filepath.Join(dir, "out2"))
	if strings.Join(first, " ") != strings.Join(second, " ") || len(first) != 3 {
		t.Errorf("Message-IDs differ between two sends of one batch:\n%v\n%v", first, second)
	}
	other := filepath.Join(dir, "other.jsonl")
	b, _ := os.ReadFile(records)
	os.WriteFile(other, append(b, '\n'), 0o644) // same records, another file
	third := ids(other, filepath.Join(dir, "out3"))
	for _, id := range third {
		if slices.Contains(first, id) {
			t.Errorf("Message-ID %s reused by another batch file", id)
		}
	}
}
