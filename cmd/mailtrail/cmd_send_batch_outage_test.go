package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox"
	"github.com/mailtrail/mailtrail/outbox/outboxtest"
)

// sendBatchExit runs the built command (or its stand-in) to its end, for
// at most a minute: a hang fails the test rather than block it.
func sendBatchExit(t *testing.T, args []string, prefix ...string) (code int, out string) {
	t.Helper()
	var buf bytes.Buffer
	cmd := sendBatchChild(t, args, &buf, prefix...)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), buf.String()
		} else if err != nil {
			t.Fatalf("mailtrail %s: %v", strings.Join(args, " "), err)
		}
		return 0, buf.String()
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("mailtrail %s hung (killed after a minute)\n%s", strings.Join(args, " "), buf.String())
	}
	return 0, ""
}

// sendBatchQueued counts the messages queued in a folder outbox.
func sendBatchQueued(t *testing.T, dir string) outbox.Counts {
	t.Helper()
	ob, err := outbox.OpenFolder(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ob.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// With the relay unreachable, send --batch --wait D gives up after D,
// prints the summary and exits 3, every message still queued; once the
// relay is back, the same command sends them all, with the same
// Message-IDs. Two ways to be unreachable: a port that refuses the
// connection, and a server that accepts it and never says a word (the
// send in flight is cut short at D).
func TestSendBatch_relayUnreachable(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0") // never accepted: no greeting
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	for _, tc := range []struct {
		name string
		addr string
	}{
		{"connection refused", outboxtest.ClosedPort(t)},
		{"no greeting", silent.Addr().String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tmpl, records := sendBatchWorkload(t, dir, 5)
			base := []string{"send", "--template", tmpl, "--batch", records, "--from", "fleet@example.com",
				"--concurrency", "2", "--progress", "1h"}
			code, out := sendBatchExit(t, append(base, "--smtp", "smtp+insecure://"+tc.addr, "--wait", "2s"))
			if code != sendBatchExitQueued {
				t.Fatalf("exit %d, want %d (queued)\n%s", code, sendBatchExitQueued, out)
			}
			for _, want := range []string{"batch " + records + ": 5 records", "  sent:     0\n", "  queued:   5 ", "outbox: " + records + ".outbox"} {
				if !strings.Contains(out, want) {
					t.Errorf("summary lacks %q:\n%s", want, out)
				}
			}
			if c := sendBatchQueued(t, records+".outbox"); c != (outbox.Counts{Queued: 5}) {
				t.Errorf("outbox holds %+v, want the 5 messages queued", c)
			}

			srv := mailtest.NewServer(t)
			code, out = sendBatchExit(t, append(base, "--smtp", srv.URL()))
			if code != 0 {
				t.Fatalf("relay back: exit %d, want 0\n%s", code, out)
			}
			msgs := srv.Messages()
			if len(msgs) != 5 {
				t.Fatalf("relay back: server got %d messages, want 5", len(msgs))
			}
			sent, err := outbox.OpenFolder(records+".outbox", nil)
			if err != nil {
				t.Fatal(err)
			}
			ents, _ := sent.List(context.Background(), outbox.StateSent)
			ids := map[string]bool{}
			for _, e := range ents {
				ids[e.MessageID] = true
			}
			for _, m := range msgs {
				id := regexp.MustCompile(`(?m)^Message-ID: (\S+)\r$`).FindSubmatch(m.Data)
				if id == nil || !ids[string(id[1])] {
					t.Errorf("server got a message whose Message-ID is not the one enqueued: %q", id)
				}
			}
		})
	}
}

// When the outbox cannot be written while enqueueing (here the kernel
// refuses every file over 4 KiB, with RLIMIT_FSIZE, as a full disk
// refuses every write), the records stay queued: exit 3, not 1, the error
// names the folder, nothing is sent, and the same command run again
// sends them all.
func TestSendBatch_outboxWriteFails(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Fatalf("prlimit (util-linux) is needed to limit the size of files: %v", err)
	}
	srv := mailtest.NewServer(t)
	dir := t.TempDir()
	tmpl, records := sendBatchWorkload(t, dir, 5)
	// Messages of the workload are larger than the limit; the batch file
	// is only read.
	args := []string{"send", "--template", tmpl, "--batch", records, "--from", "fleet@example.com",
		"--smtp", srv.URL(), "--progress", "1h", "--wait", "10s"}
	code, out := sendBatchExit(t, args, prlimit, "--fsize="+strconv.Itoa(4096))
	if code != sendBatchExitQueued {
		t.Fatalf("exit %d, want %d (queued)\n%s", code, sendBatchExitQueued, out)
	}
	folder := records + ".outbox"
	if !strings.Contains(out, "mailtrail send: outbox "+folder+": write ") || !strings.Contains(out, "file too large") {
		t.Errorf("output lacks the error naming the folder %s:\n%s", folder, out)
	}
	if !strings.Contains(out, "  queued:   5 ") || !strings.Contains(out, "  failed:   0\n") {
		t.Errorf("summary does not say the 5 records stay queued:\n%s", out)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server got %d messages, want none", n)
	}
	if ents, _ := os.ReadDir(filepath.Join(folder, "tmp")); len(ents) != 0 {
		t.Errorf("tmp/ keeps %d half-written files", len(ents))
	}

	code, out = sendBatchExit(t, args)
	if code != 0 || len(srv.Messages()) != 5 {
		t.Fatalf("run again: exit %d, server got %d messages; want 0 and 5\n%s", code, len(srv.Messages()), out)
	}
}
