//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestDataLimit_process gives the built command a 100 MB data file, as a
// file and on standard input: it is refused with a clear error, exit 1,
// and the process never holds it (its peak memory stays far below 100 MB).
func TestDataLimit_process(t *testing.T) {
	bin := hardenBinary(t)
	tpl, _ := sinkTemplate(t)
	big := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// A JSON object whose string value never ends: 100 MB of 'a'.
	f.WriteString(`{"plate": "`)
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for range 100 {
		f.Write(chunk)
	}
	f.WriteString(`"}`)
	f.Close()
	render := []string{"render", "--template", tpl, "--from", "fleet@example.com", "--to", "p@example.net", "--resource", "r-1", "-o", filepath.Join(t.TempDir(), "out.eml")}
	tests := []struct {
		name  string
		args  []string
		stdin bool
		want  string
	}{
		{"render --data FILE", append(render, "--data", big), false, "is larger than the limit of 16 MiB"},
		{"render --data -", append(render, "--data", "-"), true, "data file standard input is larger than the limit of 16 MiB"},
		{"preview --data FILE", []string{"preview", "--template", tpl, "--data", big}, false, "is larger than the limit of 16 MiB"},
		{"check --data FILE", []string{"check", "--template", tpl, "--data", big}, false, "is larger than the limit of 16 MiB"},
		{"send --max-data 1MiB", append([]string{"send", "--max-data", "1MiB", "--data", big}, render[1:len(render)-2]...), false, "is larger than the limit of 1 MiB"},
	}
	// The peak memory a child reports includes what the forked test
	// process held before exec, so it is compared with a run that refuses
	// a tiny file the same way (1 byte over a 1-byte limit).
	tiny := filepath.Join(t.TempDir(), "tiny.json")
	os.WriteFile(tiny, []byte("{}"), 0o644)
	base := peakRSS(t, exec.Command(bin, append(render, "--data", tiny, "--max-data", "1")...))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			cmd.Env = append(os.Environ(), "MAILTRAIL_SMTP_URL=")
			cmd.Dir = t.TempDir()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if tt.stdin {
				in, err := os.Open(big)
				if err != nil {
					t.Fatal(err)
				}
				defer in.Close()
				cmd.Stdin = struct{ io.Reader }{in} // a pipe: the size is unknown
			}
			err := cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != 1 {
				t.Errorf("exit code %d (%v), want 1; stderr: %s", code, err, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr = %q, want %q", stderr.String(), tt.want)
			}
			if peak := rusagePeak(cmd); peak > base+32<<20 {
				t.Errorf("peak memory %d MiB refusing a 100 MB data file (%d MiB for a tiny one), want < 32 MiB more",
					peak>>20, base>>20)
			}
			files, _ := filepath.Glob(filepath.Join(cmd.Dir, "outbox", "*"))
			if len(files) != 0 {
				t.Errorf("files written: %v", files)
			}
		})
	}
}

// peakRSS runs cmd and returns its peak resident memory.
func peakRSS(t *testing.T, cmd *exec.Cmd) int64 {
	t.Helper()
	cmd.Env = append(os.Environ(), "MAILTRAIL_SMTP_URL=")
	cmd.Run()
	if cmd.ProcessState == nil {
		t.Fatalf("%v did not run", cmd.Args)
	}
	return rusagePeak(cmd)
}

// rusagePeak is the peak resident memory of a finished command, in bytes.
func rusagePeak(cmd *exec.Cmd) int64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10 // Linux reports KiB
	}
	return 0
}
