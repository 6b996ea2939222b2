package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The browser tests run the mailtrail command as a user does: built from
// this checkout with the library's own go.mod, in its own process, stopped
// with Ctrl-C (SIGINT).

// waitLimit bounds one wait for a server: a deadline against a hang, not a
// measure of speed.
const waitLimit = time.Minute

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// mailtrailBinary builds the mailtrail command once per test binary (with
// the race detector when the tests run with -race) and returns its path.
func mailtrailBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("no go tool to build the mailtrail command: %v", err)
	}
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "mailtrail-e2e-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "mailtrail")
		args := []string{"build", "-o", binPath}
		if raceEnabled {
			args = append(args, "-race")
		}
		args = append(args, "./cmd/mailtrail")
		cmd := exec.Command("go", args...)
		cmd.Dir = ".." // the library's module, so the command builds with its own requirements
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is one running mailtrail command.
type process struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	lines  chan string // stderr, line by line
	done   chan error  // cmd.Wait's result
}

// start runs the mailtrail command with args and waits until its standard
// error shows a line matching ready. When the test ends the command gets
// Ctrl-C and must stop with exit status 0 and say stopped.
func start(t *testing.T, ready *regexp.Regexp, stopped string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(mailtrailBinary(t), args...), stderr: &syncBuffer{},
		lines: make(chan string, 100), done: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), "MAILTRAIL_SMTP_URL=", "MAILTRAIL_KEYS=")
	p.cmd.Stdout = &syncBuffer{}
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
	t.Cleanup(func() { p.interrupt(t, stopped) })
	limit := time.After(waitLimit)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("mailtrail %s ended before it was ready\nstderr: %s", strings.Join(args, " "), p.stderr)
			}
			if ready.MatchString(l) {
				return p
			}
		case <-limit:
			t.Fatalf("mailtrail %s not ready; stderr: %s", strings.Join(args, " "), p.stderr)
		}
	}
}

// find returns the first group of re in the process's standard error.
func (p *process) find(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	m := re.FindStringSubmatch(p.stderr.String())
	if m == nil {
		t.Fatalf("stderr %q: no match for %s", p.stderr, re)
	}
	return m[1]
}

// interrupt sends Ctrl-C and checks that the process stops with exit
// status 0 and says stopped.
func (p *process) interrupt(t *testing.T, stopped string) {
	t.Helper()
	select {
	case err := <-p.done:
		t.Errorf("mailtrail ended by itself before Ctrl-C: %v\nstderr: %s", err, p.stderr)
		return
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
	case <-time.After(waitLimit):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("mailtrail did not stop after Ctrl-C; stderr: %s", p.stderr)
	}
	if !strings.Contains(p.stderr.String(), stopped) {
		t.Errorf("stderr = %q, want %q", p.stderr, stopped)
	}
}

// run runs the mailtrail command to its end and fails the test unless it
// exits 0.
func run(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(mailtrailBinary(t), args...)
	cmd.Env = append(os.Environ(), "MAILTRAIL_SMTP_URL=", "MAILTRAIL_KEYS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mailtrail %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// sinkStart runs "mailtrail sink --ui" on loopback port 0 and returns its
// SMTP and web view addresses.
func sinkStart(t *testing.T) (smtpAddr, uiAddr string) {
	t.Helper()
	p := start(t, regexp.MustCompile(`press Ctrl-C`), "sink: stopped",
		"sink", "--listen", "127.0.0.1:0", "--dir", filepath.Join(t.TempDir(), "sink"), "--ui", "127.0.0.1:0")
	return p.find(t, regexp.MustCompile(`accepting mail on (127\.0\.0\.1:\d+) `)),
		p.find(t, regexp.MustCompile(`web view on http://(127\.0\.0\.1:\d+)/`))
}

// sinkTemplate writes a template and returns its path and the path its
// data goes to.
func sinkTemplate(t *testing.T) (tpl, data string) {
	t.Helper()
	dir := t.TempDir()
	tpl, data = filepath.Join(dir, "vehicle-check.md"), filepath.Join(dir, "vehicle-check.json")
	if err := os.WriteFile(tpl, []byte("---\nsubject: Vehicle check {{n}}\n---\nHello,\n\nvehicle **{{plate}}** is due.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return tpl, data
}

// sinkSend sends message i about resource to the SMTP server at addr the
// way a user would: "mailtrail send --smtp smtp+insecure://ADDR".
func sinkSend(t *testing.T, addr, tpl, data, resource string, i int) {
	t.Helper()
	if err := os.WriteFile(data, []byte(fmt.Sprintf(`{"n": %d, "plate": "AB-%03d-CD"}`, i, i)), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "send", "--template", tpl, "--data", data, "--from", "fleet@example.test",
		"--to", fmt.Sprintf("partner%d@example.test", i), "--resource", resource, "--smtp", "smtp+insecure://"+addr)
}

// previewServeStart runs "mailtrail preview --serve" on loopback port 0
// over the templates in dir (and the layout file, when not "") and returns
// its base URL.
func previewServeStart(t *testing.T, dir, layout string) string {
	t.Helper()
	args := []string{"preview", "--serve", "127.0.0.1:0", "--templates", dir}
	if layout != "" {
		args = append(args, "--layout", layout)
	}
	re := regexp.MustCompile(` on (http://127\.0\.0\.1:\d+)/`)
	return start(t, re, "preview: stopped", args...).find(t, re)
}

// previewTemplates writes a folder of templates and data files for the
// preview: a template with a French variant and two data files, and a
// broken one.
func previewTemplates(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"vehicle-check.md": "---\nsubject: Vehicle {{vehicle.plate}} checked\n---\n" +
			"Hello {{partner.name}},\n\nThe vehicle **{{vehicle.plate}}** passed its check.\n\n" +
			"{{#items}}\n- {{label}}: {{state}}\n{{/items}}\n\n[Open the file](https://fleet.example.test/v/{{vehicle.id}})\n",
		"vehicle-check.fr.md": "---\nsubject: Véhicule {{vehicle.plate}} contrôlé\n---\nBonjour {{partner.name}},\n\n" +
			"Le véhicule **{{vehicle.plate}}** est contrôlé.\n",
		"vehicle-check.json": `{"partner":{"name":"Ana"},"vehicle":{"plate":"AB-123-CD","id":42},` +
			`"items":[{"label":"Brakes","state":"ok"},{"label":"Tyres","state":"worn"}]}`,
		"vehicle-check.late.json": `{"partner":{"name":"Bo"},"vehicle":{"plate":"ZZ-999-ZZ","id":7},"items":[]}`,
		"broken.md":               "---\nsubject: Broken\n---\n{{#items}}\nno end\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
