package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// inspectMemoryCommands are the commands whose memory is bounded on large
// replies: each reads the message once and holds it with its bodies
// decoded at most once more.
var inspectMemoryCommands = [][]string{
	{"inspect"},
	{"inspect", "--from", "fleet@example.com"},
	{"trace", "--from", "fleet@example.com"},
}

// TestInspect_memory runs inspect and trace on 20 MB replies read from a
// file and holds the bytes each allocates (an upper bound of the peak
// memory it adds, whatever the collector does) to 3× the message. inspect
// writes its JSON as it goes, each body decoded and escaped a piece at a
// time, so the message is held once, with a body decoded once more at
// most and the text of the reply.
func TestInspect_memory(t *testing.T) {
	if testing.Short() {
		t.Skip("20 MB messages; -short skips it")
	}
	dir := t.TempDir()
	for name, raw := range lineartest.LargeReplies(20 << 20) {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".eml")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range inspectMemoryCommands {
			args := append(append([]string{}, cmd...), path)
			ratio, code := inspectAllocated(args, len(raw))
			t.Logf("%s %s: %d bytes, allocated %.2f× the message", strings.Join(cmd, " "), name, len(raw), ratio)
			if code == 2 || ratio > 3 {
				t.Errorf("%s %s: exit %d, allocated %.2f× the message; want the message read, ≤ 3×", strings.Join(cmd, " "), name, code, ratio)
			}
		}
	}
}

// TestInspect_linear checks that what inspect allocates grows linearly
// with the message: at 256 KiB and 2 MiB, for each kind of reply.
func TestInspect_linear(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"text 8bit", "text quoted-printable", "attachment base64"} {
		t.Run(name, func(t *testing.T) {
			file := func(n int) string {
				path := filepath.Join(dir, fmt.Sprintf("%s-%d.eml", strings.ReplaceAll(name, " ", "-"), n))
				if err := os.WriteFile(path, lineartest.LargeReplies(n)[name], 0o644); err != nil {
					t.Fatal(err)
				}
				return path
			}
			lineartest.Check(t, 256<<10, file, func(path string) { inspectAllocated([]string{"inspect", path}, 1) })
		})
	}
}

// inspectAllocated runs the command in-process and returns the bytes
// allocated per byte of message, and the exit code.
func inspectAllocated(args []string, size int) (float64, int) {
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	var code int
	alloc := lineartest.Allocated(func() { code = run(context.Background(), e, args) })
	return float64(alloc) / float64(size), code
}

// BenchmarkInspect_memory reports the bytes inspect and trace allocate per
// byte of a 20 MB reply ("alloc/B"; -benchmem gives B/op too).
func BenchmarkInspect_memory(b *testing.B) {
	dir := b.TempDir()
	for name, raw := range lineartest.LargeReplies(20 << 20) {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".eml")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			b.Fatal(err)
		}
		for _, cmd := range inspectMemoryCommands {
			args := append(append([]string{}, cmd...), path)
			b.Run(strings.Join(cmd, " ")+"/"+name, func(b *testing.B) {
				b.SetBytes(int64(len(raw)))
				var sum float64
				for b.Loop() {
					r, _ := inspectAllocated(args, len(raw))
					sum += r
				}
				b.ReportMetric(sum/float64(b.N), "alloc/B")
			})
		}
	}
}
