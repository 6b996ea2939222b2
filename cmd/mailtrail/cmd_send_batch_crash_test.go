package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox/batch"
)

// The crash and load tests run "mailtrail send --batch" in a child process:
// this test binary again, with sendBatchChildEnv naming the arguments.
const sendBatchChildEnv = "MAILTRAIL_TEST_BATCH_CHILD"

// TestSendBatch_child is the child process; it does nothing in a normal run.
func TestSendBatch_child(t *testing.T) {
	args := os.Getenv(sendBatchChildEnv)
	if args == "" {
		t.Skip("child process of the crash and load tests only")
	}
	var argv []string
	if err := json.Unmarshal([]byte(args), &argv); err != nil {
		t.Fatal(err)
	}
	e := &env{stdin: strings.NewReader(""), stdout: os.Stdout, stderr: os.Stderr, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, argv)
	// Peak RSS for the load test, read by the parent from stdout.
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				fmt.Println("child " + l)
			}
		}
	}
	os.Exit(code)
}

var sendBatchBin struct {
	once sync.Once
	path string
}

// sendBatchBinary builds the mailtrail command once, without the race
// detector, so that the child measures the command as users run it (the
// race detector slows a 20 000-message batch tenfold). It returns "" when
// the go tool cannot build it here; the child is then this test binary.
func sendBatchBinary(t *testing.T) string {
	sendBatchBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "mailtrail-bin-")
		if err != nil {
			return
		}
		path := filepath.Join(dir, "mailtrail")
		cmd := exec.Command("go", "build", "-o", path, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("go build failed, re-running the test binary instead: %v\n%s", err, out)
			return
		}
		sendBatchBin.path = path
	})
	return sendBatchBin.path
}

// TestMain removes the command built by sendBatchBinary. Started as the
// render floor's child (see renderFloorChild), it runs that and exits.
func TestMain(m *testing.M) {
	if renderFloorChild() {
		os.Exit(0)
	}
	code := m.Run()
	if sendBatchBin.path != "" {
		os.RemoveAll(filepath.Dir(sendBatchBin.path))
	}
	os.Exit(code)
}

// sendBatchChild starts the child with args: the mailtrail command, or this
// test binary as a stand-in; prefix, when given, is a command that runs it
// (such as prlimit and its options).
func sendBatchChild(t *testing.T, args []string, out *bytes.Buffer, prefix ...string) *exec.Cmd {
	t.Helper()
	var argv []string
	var env []string
	if bin := sendBatchBinary(t); bin != "" {
		argv = append(append(prefix, bin), args...)
		env = append(os.Environ(), "MAILTRAIL_SMTP_URL=", "MAILTRAIL_OUTBOX_URL=")
	} else {
		b, _ := json.Marshal(args)
		argv = append(prefix, os.Args[0], "-test.run=^TestSendBatch_child$", "-test.count=1")
		env = append(os.Environ(), sendBatchChildEnv+"="+string(b))
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// sendBatchFastDir returns a folder for a spool: tmpfs when the machine
// has one, so that the test measures the spool's logic rather than the
// disk's fsync latency (a SIGKILL loses nothing the kernel already has, so
// the crash test needs no real disk).
func sendBatchFastDir(t *testing.T) string {
	t.Helper()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		dir, err := os.MkdirTemp("/dev/shm", "mailtrail-test-")
		if err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// sendBatchWorkload writes a small template and n records, record i to
// r<i>@partner.test about resource res-<i>.
func sendBatchWorkload(t *testing.T, dir string, n int) (tmpl, records string) {
	t.Helper()
	tmpl = filepath.Join(dir, "notice.md")
	src := "---\nsubject: Work order {{order.ref}}\n---\n# Work order {{order.ref}}\n\nHello {{name}},\n\nthe vehicle **{{order.plate}}** is booked for {{order.date}}.\n"
	if err := os.WriteFile(tmpl, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	records = filepath.Join(dir, "records.jsonl")
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"to":"r%d@partner.test","resource":"res-%d","data":{"name":"Zoé %d","order":{"ref":"WO-%d","plate":"AB-%03d-CD","date":"2026-12-01"}}}`+"\n",
			i, i, i, i, i%1000)
	}
	if err := os.WriteFile(records, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return tmpl, records
}

// sendBatchCounter counts the messages the server accepted per recipient.
type sendBatchCounter struct {
	mu  sync.Mutex
	per map[string]int
	n   int
}

func (c *sendBatchCounter) add(m mailtest.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, to := range m.To {
		c.per[to]++
	}
	c.n++
}

func (c *sendBatchCounter) counts() (total, distinct int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, len(c.per)
}

// TestSendBatch_crash kills a batch send of 2 000 records with SIGKILL at
// random points, restarts it each time, and checks that in the end every
// record was accepted by the server at least once. Duplicates (a kill
// between the server's 250 and the move to sent/) are counted and logged.
func TestSendBatch_crash(t *testing.T) {
	t.Run("spool", func(t *testing.T) { sendBatchCrash(t, nil, 8) })
	// Without a spool the report is the ledger: each line reaches the
	// operating system as it is written, so a kill loses none of it.
	t.Run("direct", func(t *testing.T) { sendBatchCrash(t, []string{"--spool", "none"}, 5) })
}

func sendBatchCrash(t *testing.T, extra []string, wantKills int) {
	const n = 2000
	counter := &sendBatchCounter{per: map[string]int{}}
	srv := mailtest.NewServer(t, mailtest.DiscardMessages(), mailtest.OnMessage(counter.add))
	dir := sendBatchFastDir(t)
	tmpl, records := sendBatchWorkload(t, dir, n)
	report := filepath.Join(dir, "report.jsonl")
	args := []string{"send", "--template", tmpl, "--batch", records, "--from", "fleet@example.com",
		"--smtp", srv.URL(), "--concurrency", "4", "--spool", filepath.Join(dir, "spool"),
		"--report", report, "--progress", "1h"}
	args = append(args, extra...)

	// recorded tells whether an earlier run wrote a sent record to the
	// report (or the temporary file a killed run leaves): a kill soon after
	// the server's 250 may land before the child wrote any line, and on a
	// busy machine every delay may land in start-up, so the kills go on
	// until one run recorded something the final run must skip.
	recorded := func() bool {
		ledger, err := batch.ReadLedger(report)
		if err != nil {
			t.Fatal(err)
		}
		return len(ledger) > 0
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 6))
	kills := 0
	for attempt := 0; (kills < wantKills || !recorded()) && attempt < 60; attempt++ {
		var out bytes.Buffer
		cmd := sendBatchChild(t, args, &out)
		// Kill it at a random point: half the time after a random delay
		// (start-up, rendering, enqueueing), else once the server has
		// accepted a random number of further messages (delivery).
		before, _ := counter.counts()
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var what string
		if rng.IntN(2) == 0 {
			delay := time.Duration(10+rng.IntN(200)) * time.Millisecond
			what = fmt.Sprintf("after %v", delay)
			select {
			case err := <-exited:
				t.Logf("run %d finished before its kill (%v)", attempt+1, err)
				continue
			case <-time.After(delay):
			}
		} else {
			target := before + 1 + rng.IntN(n/8)
			what = fmt.Sprintf("at message %d", target)
			finished := false
			for !finished {
				if got, _ := counter.counts(); got >= target {
					break
				}
				select {
				case err := <-exited:
					t.Logf("run %d finished before its kill (%v)", attempt+1, err)
					finished = true
				case <-time.After(time.Millisecond):
				}
			}
			if finished {
				continue
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		kills++
		after, _ := counter.counts()
		t.Logf("kill %d %s: %d messages accepted by then (+%d)", kills, what, after, after-before)
	}
	if kills < wantKills {
		t.Fatalf("only %d kills landed before the batch finished, want %d", kills, wantKills)
	}
	if !recorded() {
		t.Fatalf("after %d kills no run had recorded a sent record in %s", kills, report)
	}
	if got, _ := counter.counts(); got >= n {
		t.Logf("the kills came late: every record was accepted before the last one")
	}

	// The last run goes to the end and must succeed.
	var out bytes.Buffer
	cmd := sendBatchChild(t, args, &out)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out.String())
	}
	total, distinct := counter.counts()
	if distinct != n {
		t.Fatalf("the server accepted %d distinct records, want all %d\n%s", distinct, n, out.String())
	}
	t.Logf("crash test: %d kills, %d records, %d messages accepted, %d duplicates", kills, n, total, total-distinct)
	if !strings.Contains(out.String(), "sent by an earlier run") {
		t.Errorf("final run's summary does not mention the records sent before:\n%s", out.String())
	}

	// Running the finished batch again sends nothing.
	out.Reset()
	cmd = sendBatchChild(t, args, &out)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("re-run: %v\n%s", err, out.String())
	}
	if again, _ := counter.counts(); again != total {
		t.Errorf("re-running a finished batch sent %d more messages, want 0", again-total)
	}
}

// TestSendBatch_load sends 20 000 messages through the spool to a local
// server (sendBatchSink) from a child process: nothing is lost, and the
// child's peak RSS and throughput are logged (no threshold: they are
// reported, not asserted).
func TestSendBatch_load(t *testing.T) {
	const n = 20000
	counter := &sendBatchCounter{per: map[string]int{}}
	srv := newSendBatchSink(t, counter)
	dir := sendBatchFastDir(t)
	tmpl, records := sendBatchWorkload(t, dir, n)
	args := []string{"send", "--template", tmpl, "--batch", records, "--from", "fleet@example.com",
		"--smtp", srv.URL(), "--concurrency", "4", "--spool", filepath.Join(dir, "spool"), "--progress", "1h"}
	var out bytes.Buffer
	start := time.Now()
	cmd := sendBatchChild(t, args, &out)
	// The child's peak RSS: VmHWM of its /proc status, read until it exits
	// (rusage's maxrss would carry this process's size over the exec).
	var peak string
	done := make(chan struct{})
	go func() {
		defer close(done)
		path := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		for {
			b, err := os.ReadFile(path)
			if err != nil {
				return
			}
			for _, l := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(l, "VmHWM:") {
					peak = strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
				}
			}
			if strings.Contains(string(b), "State:\tZ") {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	err := cmd.Wait()
	<-done
	if err != nil {
		t.Fatalf("send --batch: %v\n%s", err, out.String())
	}
	el := time.Since(start)
	total, distinct := counter.counts()
	if distinct != n || total != n {
		t.Fatalf("server accepted %d messages for %d records, want exactly %d", total, distinct, n)
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "child VmHWM:") { // the test binary as child
			peak = strings.TrimSpace(strings.TrimPrefix(l, "child VmHWM:"))
		}
	}
	if peak == "" {
		peak = "unknown (no /proc)"
	}
	t.Logf("load test: %d messages in %v (%.0f messages/s), child peak RSS %s", n, el.Round(time.Millisecond), float64(n)/el.Seconds(), peak)
}

// sendBatchSink is a minimal SMTP server for the load test: it answers
// every command with the reply RFC 5321 asks for, reads each message to its
// final ".", and counts messages per recipient. It is far lighter than
// mailtest under the race detector, so the test measures the sender.
type sendBatchSink struct {
	ln      net.Listener
	counter *sendBatchCounter
	wg      sync.WaitGroup
}

func newSendBatchSink(t *testing.T, counter *sendBatchCounter) *sendBatchSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sendBatchSink{ln: ln, counter: counter}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *sendBatchSink) URL() string { return "smtp+insecure://" + s.ln.Addr().String() }

func (s *sendBatchSink) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	reply := func(line string) bool {
		w.WriteString(line + "\r\n")
		return w.Flush() == nil
	}
	if !reply("220 sink ESMTP") {
		return
	}
	var rcpts []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			w.WriteString("250-sink\r\n250-PIPELINING\r\n")
			if !reply("250 8BITMIME") {
				return
			}
		case strings.HasPrefix(cmd, "HELO"), strings.HasPrefix(cmd, "NOOP"):
			reply("250 ok")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			rcpts = rcpts[:0]
			reply("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			addr := strings.TrimSpace(line[len("RCPT TO:"):])
			addr = strings.Trim(strings.Fields(addr)[0], "<>")
			rcpts = append(rcpts, addr)
			reply("250 ok")
		case cmd == "DATA":
			if !reply("354 go on") {
				return
			}
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
			}
			s.counter.add(mailtest.Message{To: append([]string(nil), rcpts...)})
			reply("250 queued")
		case cmd == "RSET":
			rcpts = rcpts[:0]
			reply("250 ok")
		case cmd == "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}
