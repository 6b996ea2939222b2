package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/inbound/imaptest"
)

// The tests in this file give the built command the message that stalled
// it when header unfolding was quadratic: a Subject folded over a million
// lines (4 MB, far under the 25 MiB limit). Each command reads it to the
// end, and SIGTERM stops one reading such a message.

// hostileWaitLimit bounds each run: a deadline against a hang (the
// quadratic parser took hours), not a measure of speed.
const hostileWaitLimit = 2 * time.Minute

// foldedReply is a reply to resource r1 whose Subject is folded over n
// continuation lines.
func foldedReply(n int) []byte {
	return []byte("From: Partner <p@garage.example>\r\nTo: fleet+r1@example.com\r\n" +
		"Message-ID: <folded@garage.example>\r\nSubject: Re: [r1] check" + strings.Repeat("\r\n x", n) +
		"\r\n\r\nAll good.\r\n")
}

// runBin runs the built command with args and stdin, bounded by
// hostileWaitLimit, and returns its exit code and output.
func runBin(t *testing.T, stdin io.Reader, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hostileWaitLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, hardenBinary(t), args...)
	cmd.Env = append(append(os.Environ(), "MAILTRAIL_SMTP_URL="), env...)
	cmd.Dir = t.TempDir()
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("mailtrail %s still running after %v", args[0], hostileWaitLimit)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("mailtrail %s: %v", args[0], err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

func TestHostileProcess_foldedHeader(t *testing.T) {
	raw := foldedReply(1_000_000)
	path := filepath.Join(t.TempDir(), "folded.eml")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	subject := "Re: [r1] check" + strings.Repeat(" x", 1000) // the start of the unfolded value

	t.Run("trace", func(t *testing.T) {
		code, out, errs := runBin(t, nil, nil, "trace", "--from", "fleet@example.com", path)
		if code != 0 || out != "r1\n" {
			t.Errorf("trace: exit %d, stdout %.200q, stderr %.200q; want 0 and resource r1", code, out, errs)
		}
	})
	t.Run("inspect", func(t *testing.T) {
		code, out, errs := runBin(t, bytes.NewReader(raw), nil, "inspect", "-")
		if code != 0 || !strings.Contains(out, subject) {
			t.Errorf("inspect: exit %d, stdout %.200q, stderr %.200q; want 0 and the unfolded subject", code, out, errs)
		}
	})
	t.Run("sink", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "sink")
		p, addr, _ := sinkProcStart(t, dir, false, "--from", "fleet@example.com")
		stopped := false
		defer func() {
			if !stopped {
				p.interrupt(t, "sink: stopped")
			}
		}()
		nc, tc := smtpTalk(t, addr, "", 220, "EHLO c.test", 250, "MAIL FROM:<p@garage.example>", 250,
			"RCPT TO:<fleet+r1@example.com>", 250, "DATA", 354)
		nc.SetDeadline(time.Now().Add(hostileWaitLimit))
		nc.Write(raw)
		io.WriteString(nc, ".\r\n")
		if code, msg, err := tc.ReadResponse(250); err != nil {
			t.Fatalf("end of DATA: %d %s (%v), want 250", code, msg, err)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "*.eml")); len(files) != 1 {
			t.Errorf("sink saved %d files, want 1", len(files))
		}
		// The sink's line may still be on its way through the pipe after
		// the 250: read it once the sink has stopped.
		p.interrupt(t, "sink: stopped")
		stopped = true
		if out := p.stdout.String(); !strings.Contains(out, "resource r1 (") {
			t.Errorf("sink printed %.300q, want the message traced to r1", out)
		}
	})
	t.Run("inbox", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		srv.Deliver("", raw)
		srv.Deliver("", []byte("From: p@garage.example\r\nTo: fleet+r2@example.com\r\nSubject: Re: [r2] next\r\n"+
			"Message-ID: <next@garage.example>\r\n\r\nFine.\r\n"))
		code, out, errs := runBin(t, nil, []string{"MAILTRAIL_IMAP_URL=" + srv.URL()},
			"inbox", "--from", "fleet@example.com", "--exec", "cat > /dev/null")
		if code != 0 || strings.Count(out, "\tprocessed") != 2 {
			t.Errorf("inbox: exit %d, stdout %q, stderr %.300q; want both messages processed", code, out, errs)
		}
		if n := len(srv.Messages("processed")); n != 2 {
			t.Errorf("processed holds %d messages, want 2", n)
		}
	})
}

// TestHostileProcess_sigterm sends SIGTERM to trace while it reads a
// folded header from a pipe that never ends: it stops reading at once
// (well before the 25 MiB limit would end the read) and exits.
func TestHostileProcess_sigterm(t *testing.T) {
	cmd := exec.Command(hardenBinary(t), "trace", "--from", "fleet@example.com", "-")
	cmd.Env = append(os.Environ(), "MAILTRAIL_SMTP_URL=")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-done
		}
	}()
	io.WriteString(in, "Subject: s")
	chunk := []byte(strings.Repeat("\r\n x", 16<<10)) // 64 KiB
	const signalAt, limit = 1 << 20, 24 << 20
	written, signalled := 0, false
	var werr error
	for written < limit && werr == nil {
		if written >= signalAt && !signalled {
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			signalled = true
		}
		var n int
		n, werr = in.Write(chunk)
		written += n
	}
	if werr == nil {
		t.Fatalf("trace read %d MiB after SIGTERM at %d MiB, want it stopped", written>>20, signalAt>>20)
	}
	select {
	case <-done:
	case <-time.After(hostileWaitLimit):
		t.Fatalf("trace still running %v after SIGTERM", hostileWaitLimit)
	}
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(stderr.String(), "context canceled") {
		t.Errorf("trace after SIGTERM: exit %d, stderr %q; want 2 and the read cancelled", code, stderr.String())
	}
}

// TestInboxProcess_messageTimeout runs the built inbox with a
// --message-timeout that one message's work overruns: that message goes
// to failed, and the others are still processed.
func TestInboxProcess_messageTimeout(t *testing.T) {
	reply := func(subject string) []byte {
		return []byte("From: p@garage.example\r\nTo: fleet+r1@example.com\r\nSubject: " + subject +
			"\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@garage.example>\r\n\r\nFine.\r\n")
	}
	tests := []struct {
		name, timeout, reason string
		processed, failed     int
	}{
		// The command hangs on the first message (a child of the shell
		// holds its output open): the deadline ends it.
		{"command", "5s", "--exec: no exit before the message's deadline (--message-timeout)", 1, 1},
		// Over before the message is parsed: nothing is handled.
		{"parse", "1ns", "imap: parse UID 1: inbound: parse: context deadline exceeded", 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := imaptest.NewServer(t, nil)
			srv.Deliver("", reply("Re: [r1] slow"))
			srv.Deliver("", reply("Re: [r1] quick"))
			code, out, errs := runBin(t, nil, []string{"MAILTRAIL_IMAP_URL=" + srv.URL()},
				"inbox", "--from", "fleet@example.com", "--message-timeout", tt.timeout,
				"--exec", "if grep -q slow; then sleep 600; fi")
			if p, f := len(srv.Messages("processed")), len(srv.Messages("failed")); p != tt.processed || f != tt.failed {
				t.Errorf("processed %d, failed %d; want %d and %d\nexit %d, stdout %q, stderr %q", p, f, tt.processed, tt.failed, code, out, errs)
			}
			if tt.processed == 1 && !strings.Contains(string(srv.Messages("processed")[0]), "quick") {
				t.Errorf("processed the wrong message")
			}
			if !strings.Contains(out, "\tfailed\t"+tt.reason) || code != 0 {
				t.Errorf("exit %d, stdout %q; want 0 and a message failed with %q", code, out, tt.reason)
			}
		})
	}
}
