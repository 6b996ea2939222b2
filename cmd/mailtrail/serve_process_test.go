package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/identity"
)

// The tests in this file run the long-running commands (sink, preview
// --serve) as a user does: the built mailtrail command in its own process,
// stopped with Ctrl-C (SIGINT). They catch what in-process tests cannot: a
// command that returns at once instead of serving, or that ignores the
// signal.

// serveProcess is one running mailtrail command.
type serveProcess struct {
	cmd    *exec.Cmd
	stdout *sinkBuffer
	stderr *sinkBuffer
	lines  chan string // stderr, line by line
	done   chan error  // cmd.Wait's result
}

// serveProcessStart starts bin with args and waits until its standard error
// shows a line matching ready, whose first group it returns.
func serveProcessStart(t *testing.T, bin string, ready *regexp.Regexp, args ...string) (*serveProcess, string) {
	t.Helper()
	p := &serveProcess{cmd: exec.Command(bin, args...), stdout: &sinkBuffer{}, stderr: &sinkBuffer{},
		lines: make(chan string, 100), done: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), "MAILTRAIL_SMTP_URL=")
	p.cmd.Stdout = p.stdout
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(p.lines)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			p.stderr.Write([]byte(sc.Text() + "\n"))
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}()
	go func() {
		wg.Wait() // all of stderr read before Wait closes the pipe
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	limit := time.After(sinkWaitLimit)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				err := <-p.done
				t.Fatalf("mailtrail %s ended before it was ready: %v\nstderr: %s", strings.Join(args, " "), err, p.stderr)
			}
			if m := ready.FindStringSubmatch(l); m != nil {
				return p, m[1]
			}
		case <-limit:
			t.Fatalf("mailtrail %s not ready; stderr: %s", strings.Join(args, " "), p.stderr)
		}
	}
}

// interrupt checks that the process is still running, sends it SIGINT and
// checks that it stops with exit status 0 and says stopped.
func (p *serveProcess) interrupt(t *testing.T, stopped string) {
	t.Helper()
	select {
	case err := <-p.done:
		t.Fatalf("mailtrail ended by itself before Ctrl-C: %v\nstderr: %s", err, p.stderr)
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("mailtrail after Ctrl-C: %v, want exit status 0\nstderr: %s", err, p.stderr)
		}
	case <-time.After(sinkWaitLimit):
		t.Fatalf("mailtrail did not stop after Ctrl-C; stderr: %s", p.stderr)
	}
	if !strings.Contains(p.stderr.String(), stopped) {
		t.Errorf("stderr = %q, want %q", p.stderr, stopped)
	}
}

func TestServeProcess_sink(t *testing.T) {
	bin := hardenBinary(t)
	smtpReady := regexp.MustCompile(`accepting mail on (127\.0\.0\.1:\d+) `)
	uiReady := regexp.MustCompile(`web view on (http://127\.0\.0\.1:\d+)/`)
	for _, tt := range []struct {
		name string
		ui   bool
	}{
		{"without --ui", false},
		{"with --ui", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sink")
			args := []string{"sink", "--listen", "127.0.0.1:0", "--dir", dir}
			ready := smtpReady
			if tt.ui {
				args = append(args, "--ui", "127.0.0.1:0")
				ready = regexp.MustCompile(`(press Ctrl-C)`)
			}
			p, addr := serveProcessStart(t, bin, ready, args...)
			if tt.ui {
				m := smtpReady.FindStringSubmatch(p.stderr.String())
				u := uiReady.FindStringSubmatch(p.stderr.String())
				if m == nil || u == nil {
					t.Fatalf("stderr %q: want the SMTP and web view addresses", p.stderr)
				}
				addr = m[1]
				defer func() {
					resp, err := http.Get(u[1] + "/")
					if err != nil {
						t.Fatalf("web view: %v", err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 || !strings.Contains(string(body), "Vehicle check 1") {
						t.Errorf("web view: status %d, want 200 listing the message", resp.StatusCode)
					}
					p.interrupt(t, "sink: stopped")
				}()
			} else {
				defer p.interrupt(t, "sink: stopped")
			}

			tpl, data := sinkTemplate(t)
			resource := identity.New()
			sinkSend(t, addr, tpl, data, resource, 1)
			files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
			if len(files) != 1 {
				t.Fatalf("sink saved %d .eml files, want 1", len(files))
			}
		})
	}
}

func TestServeProcess_preview(t *testing.T) {
	bin := hardenBinary(t)
	dir := previewTemplates(t)
	p, base := serveProcessStart(t, bin, regexp.MustCompile(` on (http://127\.0\.0\.1:\d+)/`),
		"preview", "--serve", "127.0.0.1:0", "--templates", dir)
	// A page held open by a browser (the reload event stream) must not
	// keep Ctrl-C from stopping the server.
	events, err := http.Get(base + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	resp, err := http.Get(base + "/t/vehicle-check")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `<iframe id="frame-desktop" sandbox=""`) {
		t.Errorf("GET /t/vehicle-check: status %d, want 200 with the sandboxed iframe", resp.StatusCode)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q, want default-src 'none'", csp)
	}
	p.interrupt(t, "preview: stopped")
}
