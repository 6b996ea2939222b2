package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The tests in this file run the built sink against hostile clients: a
// message over --max-size, a never-ending DATA, a folder that disappears,
// more connections than --max-conns, idle ones, and a web view request
// with a foreign Host (DNS rebinding).

var sinkSMTPReady = regexp.MustCompile(`accepting mail on (127\.0\.0\.1:\d+) `)

// sinkProcStart runs the built sink with extra flags and returns the process,
// its SMTP address and (with --ui) its web view address.
func sinkProcStart(t *testing.T, dir string, ui bool, extra ...string) (p *serveProcess, smtpAddr, uiAddr string) {
	t.Helper()
	args := append([]string{"sink", "--listen", "127.0.0.1:0", "--dir", dir}, extra...)
	if ui {
		args = append(args, "--ui", "127.0.0.1:0")
	}
	p, _ = serveProcessStart(t, hardenBinary(t), regexp.MustCompile(`(press Ctrl-C)`), args...)
	m := sinkSMTPReady.FindStringSubmatch(p.stderr.String())
	if m == nil {
		t.Fatalf("stderr %q: no SMTP address", p.stderr)
	}
	if ui {
		u := regexp.MustCompile(`web view on http://(127\.0\.0\.1:\d+)/`).FindStringSubmatch(p.stderr.String())
		if u == nil {
			t.Fatalf("stderr %q: no web view address", p.stderr)
		}
		uiAddr = u[1]
	}
	return p, m[1], uiAddr
}

// hardenBinary is the mailtrail command built once for this test process.
func hardenBinary(t *testing.T) string {
	t.Helper()
	bin := sendBatchBinary(t)
	if bin == "" {
		t.Fatal("cannot build the mailtrail command")
	}
	return bin
}

// smtpTalk opens a connection and runs commands, each with the code it
// must get; a command "" only reads (the greeting).
func smtpTalk(t *testing.T, addr string, steps ...any) (net.Conn, *textproto.Conn) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(sinkWaitLimit))
	tc := textproto.NewConn(nc)
	for i := 0; i < len(steps); i += 2 {
		cmd, code := steps[i].(string), steps[i+1].(int)
		if cmd != "" {
			tc.PrintfLine("%s", cmd)
		}
		if _, msg, err := tc.ReadResponse(code); err != nil {
			t.Fatalf("%q: %v %s", cmd, err, msg)
		}
	}
	return nc, tc
}

func TestSinkProcess_maxSize(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sink")
	p, addr, _ := sinkProcStart(t, dir, false, "--max-size", "64KiB")
	defer p.interrupt(t, "sink: stopped")

	// Declared too large: refused at MAIL (RFC 1870).
	smtpTalk(t, addr, "", 220, "EHLO c.test", 250, "MAIL FROM:<a@x.test> SIZE=70000", 552)

	// Undeclared, a little too large: 552 after the final dot, nothing saved,
	// and the same connection goes on.
	nc, tc := smtpTalk(t, addr, "", 220, "EHLO c.test", 250, "MAIL FROM:<a@x.test>", 250, "RCPT TO:<b@x.test>", 250, "DATA", 354)
	w := bufio.NewWriter(nc)
	w.WriteString("Subject: big\r\n\r\n")
	for range 100 {
		w.WriteString(strings.Repeat("x", 998) + "\r\n")
	}
	w.WriteString(".\r\n")
	w.Flush()
	if _, msg, err := tc.ReadResponse(250); err == nil || !strings.HasPrefix(err.Error(), "552") {
		t.Fatalf("end of a 100 KB DATA with --max-size 64KiB: %v %s, want 552", err, msg)
	}
	tc.PrintfLine("RSET")
	if _, _, err := tc.ReadResponse(250); err != nil {
		t.Fatalf("RSET after 552: %v", err)
	}

	// Never-ending: answered 552 and disconnected while still sending.
	nc2, _ := smtpTalk(t, addr, "", 220, "EHLO c.test", 250, "MAIL FROM:<a@x.test>", 250, "RCPT TO:<b@x.test>", 250, "DATA", 354)
	line := []byte(strings.Repeat("y", 998) + "\r\n")
	var werr error
	for sent := 0; sent < 1<<30 && werr == nil; {
		var n int
		n, werr = nc2.Write(line)
		sent += n
	}
	if werr == nil {
		t.Fatal("the sink read 1 GiB of a never-ending DATA without closing the connection")
	}

	// The sink still serves, and saved nothing of the above.
	tpl, data := sinkTemplate(t)
	sinkSend(t, addr, tpl, data, "r-1", 1)
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Errorf("sink saved %d files, want only the small message", len(files))
	}
}

func TestSinkProcess_saveFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sink")
	p, addr, _ := sinkProcStart(t, dir, false)
	defer p.interrupt(t, "sink: stopped")
	if err := os.RemoveAll(dir); err != nil { // the folder disappears under the sink
		t.Fatal(err)
	}
	nc, tc := smtpTalk(t, addr, "", 220, "EHLO c.test", 250, "MAIL FROM:<a@x.test>", 250, "RCPT TO:<b@x.test>", 250, "DATA", 354)
	io.WriteString(nc, "Subject: lost?\r\n\r\nhello\r\n.\r\n")
	code, msg, err := tc.ReadResponse(250)
	if code != 451 {
		t.Fatalf("end of DATA with the folder gone: %d %s (%v), want 451", code, msg, err)
	}
	deadline := time.Now().Add(sinkWaitLimit)
	for !strings.Contains(p.stderr.String(), "sink: not saved, answered 451") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(p.stderr.String(), "sink: not saved, answered 451 (the sender will retry): from a@x.test:") {
		t.Errorf("stderr = %q, want the failure logged", p.stderr)
	}
	if strings.Contains(p.stdout.String(), "lost?") {
		t.Errorf("stdout = %q: the message is reported as received", p.stdout)
	}
}

func TestSinkProcess_connections(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sink")
	p, addr, uiAddr := sinkProcStart(t, dir, true, "--max-conns", "5", "--idle-timeout", "500ms")
	defer p.interrupt(t, "sink: stopped")
	var idle []net.Conn
	for range 5 {
		nc, _ := smtpTalk(t, addr, "", 220)
		idle = append(idle, nc)
	}
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	extra.SetDeadline(time.Now().Add(sinkWaitLimit))
	got, _ := io.ReadAll(extra)
	if !strings.HasPrefix(string(got), "421 4.7.0") {
		t.Errorf("connection 6 of --max-conns 5 got %q, want 421 4.7.0", got)
	}
	for i, nc := range idle {
		got, _ := io.ReadAll(nc)
		if !strings.Contains(string(got), "421 4.4.2") {
			t.Errorf("idle connection %d got %q, want 421 4.4.2 from the idle timeout", i, got)
		}
	}
	tpl, data := sinkTemplate(t)
	sinkSend(t, addr, tpl, data, "r-1", 1)

	// The web view: idle connections over the cap are closed, a new
	// client is still served.
	for range 20 {
		c, err := net.Dial("tcp", uiAddr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	resp, err := (&http.Client{Timeout: sinkWaitLimit}).Get("http://" + uiAddr + "/")
	if err != nil {
		t.Fatalf("web view behind 20 idle connections: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("web view: %d, want 200", resp.StatusCode)
	}
}

// TestSinkProcess_rebinding reads a received message's source through the
// web view with the Host a DNS-rebinding page would send.
func TestSinkProcess_rebinding(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sink")
	p, addr, uiAddr := sinkProcStart(t, dir, true)
	defer p.interrupt(t, "sink: stopped")
	tpl, data := sinkTemplate(t)
	sinkSend(t, addr, tpl, data, "r-1", 1)
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("sink saved %d files, want 1", len(files))
	}
	path := "/m/" + filepath.Base(files[0]) + "/raw"
	_, port, _ := net.SplitHostPort(uiAddr)
	for host, want := range map[string]int{uiAddr: 200, "localhost:" + port: 200, "attacker.example:" + port: 403} {
		c, err := net.Dial("tcp", uiAddr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(sinkWaitLimit))
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		c.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s with Host %s = %d, want %d", path, host, resp.StatusCode, want)
		}
		if want == 403 && strings.Contains(string(body), "Subject:") {
			t.Errorf("GET with Host %s leaked the message: %q", host, body)
		}
	}
}
