//go:build linux

package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests in this file hold a thousand idle SMTP connections and two
// hundred event streams open against the built sink and preview with their
// default connection caps: the servers keep serving real clients, their
// open files stay under the caps, idle connections are closed after
// --idle-timeout, and Ctrl-C still stops them. The process's open files are
// read from /proc, hence Linux only.

const (
	idleSMTPConns = 1000
	idleStreams   = 200
)

// needOpenFiles raises this process's soft limit on open files to n, or
// skips the test when the hard limit is lower.
func needOpenFiles(t *testing.T, n uint64) {
	t.Helper()
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	if rl.Cur >= n {
		return
	}
	if rl.Max < n {
		t.Skipf("this test holds %d connections open; the hard limit on open files is %d (raise it: ulimit -Hn %d)", n, rl.Max, n)
	}
	rl.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatalf("raising the open files limit to %d: %v", n, err)
	}
}

// procOpenFiles counts the open files of process pid.
func procOpenFiles(t *testing.T, pid int) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// procRSS is the resident memory of process pid in KiB.
func procRSS(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^VmRSS:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no VmRSS in /proc/%d/status", pid)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// dialEach opens n connections to addr one after the other, writes req on
// each (when not empty) and reads its first line, so that each is accepted
// or refused before the next one is opened.
func dialEach(t *testing.T, addr string, n int, req string) (conns []net.Conn, first []string) {
	t.Helper()
	for range n {
		c, err := net.DialTimeout("tcp", addr, sinkWaitLimit)
		if err != nil {
			t.Fatalf("connection %d of %d: %v", len(conns)+1, n, err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(sinkWaitLimit))
		if req != "" {
			io.WriteString(c, req)
		}
		line, err := readLine(c)
		if err != nil && line == "" {
			t.Fatalf("connection %d of %d: nothing read: %v", len(conns)+1, n, err)
		}
		conns, first = append(conns, c), append(first, line)
	}
	return conns, first
}

// readLine reads one line a byte at a time, leaving what follows unread.
func readLine(c net.Conn) (string, error) {
	var line []byte
	b := make([]byte, 1)
	for {
		if _, err := c.Read(b); err != nil {
			return string(line), err
		}
		line = append(line, b[0])
		if b[0] == '\n' {
			return string(line), nil
		}
	}
}

// countPrefixes counts the lines starting with each prefix; a line with
// none fails the test.
func countPrefixes(t *testing.T, what string, lines []string, prefixes ...string) map[string]int {
	t.Helper()
	n := make(map[string]int)
	for i, l := range lines {
		found := false
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				n[p]++
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("%s %d: first line %q, want one of %q", what, i, l, prefixes)
		}
	}
	return n
}

// closedByServer reads each connection to its end and returns what was
// read after the first line; a connection still open after sinkWaitLimit
// fails the test.
func closedByServer(t *testing.T, what string, conns []net.Conn) []string {
	t.Helper()
	rest := make([]string, len(conns))
	for i, c := range conns {
		c.SetDeadline(time.Now().Add(sinkWaitLimit))
		b, err := io.ReadAll(c)
		if err != nil && !isReset(err) {
			t.Fatalf("%s %d: %v, want closed by the server", what, i, err)
		}
		rest[i] = string(b)
	}
	return rest
}

// isReset reports a connection the server closed while data was unread.
func isReset(err error) bool {
	return strings.Contains(err.Error(), "connection reset by peer")
}

// httpGet fetches path from addr with a new connection; it fails the test
// unless the status is 200.
func httpGet(t *testing.T, addr, path string) string {
	t.Helper()
	resp, err := (&http.Client{Timeout: sinkWaitLimit}).Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d, want 200", path, resp.StatusCode)
	}
	return string(body)
}

// holdStreams opens n event streams on addr, reading nothing but the
// status line: every one is answered, the first open ones with 200 and the
// rest with 503, though there may be more than the connection cap.
func holdStreams(t *testing.T, addr string, n, open int) []net.Conn {
	t.Helper()
	req := fmt.Sprintf("GET /events HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", addr)
	conns, first := dialEach(t, addr, n, req)
	got := countPrefixes(t, "event stream", first, "HTTP/1.1 200 ", "HTTP/1.1 503 ")
	if got["HTTP/1.1 200 "] != open {
		t.Errorf("%d event streams: %d open, %d refused with 503; want %d open (the cap)", n, got["HTTP/1.1 200 "], got["HTTP/1.1 503 "], open)
	}
	return conns
}

// TestSinkProcess_thousandIdle holds 1000 idle SMTP connections and 200
// event streams against the sink's default caps (100 connections each, 32
// streams), with the default idle timeout of five minutes.
func TestSinkProcess_thousandIdle(t *testing.T) {
	needOpenFiles(t, idleSMTPConns+idleStreams+200)
	dir := filepath.Join(t.TempDir(), "sink")
	p, addr, uiAddr := sinkProcStart(t, dir, true)
	pid := p.cmd.Process.Pid
	tpl, data := sinkTemplate(t)
	sinkSend(t, addr, tpl, data, "r-1", 1)
	httpGet(t, uiAddr, "/")
	files0, rss0 := procOpenFiles(t, pid), procRSS(t, pid)

	smtp, first := dialEach(t, addr, idleSMTPConns, "")
	n := countPrefixes(t, "SMTP connection", first, "220 ", "421 4.7.0 ")
	if n["220 "] != sinkMaxConns || n["421 4.7.0 "] != idleSMTPConns-sinkMaxConns {
		t.Errorf("%d idle SMTP connections: %d greeted, %d refused; want %d greeted (the cap) and the rest refused with 421 4.7.0",
			idleSMTPConns, n["220 "], n["421 4.7.0 "], sinkMaxConns)
	}
	refused := closedByServer(t, "refused SMTP connection", smtp[sinkMaxConns:])
	for i, r := range refused {
		if r != "" {
			t.Fatalf("refused SMTP connection %d: %q after 421", i, r)
		}
	}
	streams := holdStreams(t, uiAddr, idleStreams, 32)

	// A real client: a page loads, and a new SMTP connection is told to
	// come back later.
	if body := httpGet(t, uiAddr, "/"); !strings.Contains(body, "Vehicle check 1") {
		t.Errorf("web view with %d event streams open: the message is not listed", idleStreams)
	}
	_, first = dialEach(t, addr, 1, "")
	if !strings.HasPrefix(first[0], "421 4.7.0 ") {
		t.Errorf("SMTP client past the cap: %q, want 421 4.7.0", first[0])
	}

	// The sink holds a file per connection it keeps, not per attempt: at
	// most the cap on each side (the web view's refused streams are
	// closing). A sink without caps would hold 1200 more.
	files, rss := procOpenFiles(t, pid), procRSS(t, pid)
	if limit := files0 + 2*sinkMaxConns + 8; files > limit {
		t.Errorf("sink holds %d open files (%d before the connections), want at most %d", files, files0, limit)
	}
	t.Logf("sink: %d open files and %d KiB resident before, %d and %d KiB with %d SMTP and %d HTTP connections attempted",
		files0, rss0, files, rss, idleSMTPConns, idleStreams)
	if 2*rss > 3*rss0 {
		t.Errorf("sink's resident memory grew from %d KiB to %d KiB, want less than 1.5 times (a sink without caps: 1.7 times)", rss0, rss)
	}

	// An SMTP slot freed by a client that leaves goes to the next one.
	for _, c := range smtp[:10] {
		c.Close()
	}
	waitGreeting(t, addr)
	sinkSend(t, addr, tpl, data, "r-2", 2)

	// Ctrl-C with every connection open: a clean stop, and the server
	// closes what it held.
	p.interrupt(t, "sink: stopped")
	closedByServer(t, "idle SMTP connection", smtp[10:sinkMaxConns])
	closedByServer(t, "event stream", streams)
	if got, _ := filepath.Glob(filepath.Join(dir, "*.eml")); len(got) != 2 {
		t.Errorf("sink saved %d messages, want 2", len(got))
	}
}

// waitGreeting dials addr until the sink greets with 220 instead of 421
// (it notices closed connections on its own time), and quits.
func waitGreeting(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(sinkWaitLimit)
	for {
		_, first := dialEach(t, addr, 1, "QUIT\r\n")
		if strings.HasPrefix(first[0], "220 ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("SMTP still refused after idle clients left: %q", first[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSinkProcess_idleTimeout holds 1000 idle SMTP connections and 200
// silent web view connections against a sink with a short --idle-timeout:
// each is closed by the sink, and real clients are served afterwards.
func TestSinkProcess_idleTimeout(t *testing.T) {
	needOpenFiles(t, idleSMTPConns+idleStreams+200)
	dir := filepath.Join(t.TempDir(), "sink")
	p, addr, uiAddr := sinkProcStart(t, dir, true, "--idle-timeout", "2s")
	defer p.interrupt(t, "sink: stopped")

	smtp, first := dialEach(t, addr, idleSMTPConns, "")
	n := countPrefixes(t, "SMTP connection", first, "220 ", "421 4.7.0 ")
	if n["220 "] < sinkMaxConns {
		t.Errorf("%d idle SMTP connections: %d greeted, want at least %d (the cap)", idleSMTPConns, n["220 "], sinkMaxConns)
	}
	silent := dialSilent(t, uiAddr, idleStreams)
	for i, rest := range closedByServer(t, "idle SMTP connection", smtp) {
		want := "" // refused: nothing after the 421
		if strings.HasPrefix(first[i], "220 ") {
			want = "421 4.4.2 "
		}
		if !strings.HasPrefix(rest, want) || (want == "" && rest != "") {
			t.Fatalf("SMTP connection %d (%q): then %q, want %q", i, first[i], rest, want)
		}
	}
	closedByServer(t, "silent web view connection", silent)

	tpl, data := sinkTemplate(t)
	sinkSend(t, addr, tpl, data, "r-1", 1)
	if body := httpGet(t, uiAddr, "/"); !strings.Contains(body, "Vehicle check 1") {
		t.Errorf("web view after the idle connections: the message is not listed")
	}
}

// TestSinkProcess_streamsLowCap opens more event streams than a small
// --max-conns: streams get half the connections, pages the rest.
func TestSinkProcess_streamsLowCap(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sink")
	p, addr, uiAddr := sinkProcStart(t, dir, true, "--max-conns", "5")
	defer p.interrupt(t, "sink: stopped")
	holdStreams(t, uiAddr, 10, 2)
	tpl, data := sinkTemplate(t)
	sinkSend(t, addr, tpl, data, "r-1", 1)
	if body := httpGet(t, uiAddr, "/"); !strings.Contains(body, "Vehicle check 1") {
		t.Errorf("web view with its event streams open: the message is not listed")
	}
}

// dialSilent opens n connections to addr that send nothing.
func dialSilent(t *testing.T, addr string, n int) []net.Conn {
	t.Helper()
	var conns []net.Conn
	for range n {
		c, err := net.DialTimeout("tcp", addr, sinkWaitLimit)
		if err != nil {
			t.Fatalf("silent connection %d of %d: %v", len(conns)+1, n, err)
		}
		t.Cleanup(func() { c.Close() })
		conns = append(conns, c)
	}
	return conns
}

// TestServeProcess_previewStreams holds 200 event streams against preview
// --serve's default caps (64 connections, 32 streams): pages still load
// and Ctrl-C stops it.
func TestServeProcess_previewStreams(t *testing.T) {
	needOpenFiles(t, idleStreams+200)
	p, base := serveProcessStart(t, hardenBinary(t), regexp.MustCompile(` on http://(127\.0\.0\.1:\d+)/`),
		"preview", "--serve", "127.0.0.1:0", "--templates", previewTemplates(t))
	files0 := procOpenFiles(t, p.cmd.Process.Pid)
	streams := holdStreams(t, base, idleStreams, 32)
	if body := httpGet(t, base, "/t/vehicle-check"); !strings.Contains(body, `<iframe id="frame-desktop"`) {
		t.Errorf("preview page with %d event streams open: no preview frame", idleStreams)
	}
	if files, limit := procOpenFiles(t, p.cmd.Process.Pid), files0+64+8; files > limit {
		t.Errorf("preview holds %d open files (%d before the streams), want at most %d", files, files0, limit)
	}
	p.interrupt(t, "preview: stopped")
	ready := 0
	for _, rest := range closedByServer(t, "event stream", streams) {
		if strings.Contains(rest, "event: ready") {
			ready++
		}
	}
	if ready != 32 {
		t.Errorf("%d event streams had their ready event, want 32", ready)
	}
}
