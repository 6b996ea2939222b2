package inbound

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// TestParse_memory parses 20 MB replies read from a file, as inspect and
// trace do, and holds the bytes allocated (an upper bound of the peak
// memory the parse adds) to 3× the message: the message itself, and its
// bodies decoded.
func TestParse_memory(t *testing.T) {
	if testing.Short() {
		t.Skip("20 MB messages; -short skips it")
	}
	dir := t.TempDir()
	for name, raw := range lineartest.LargeReplies(20 << 20) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".eml")
			if err := os.WriteFile(path, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			var m *Message
			alloc := lineartest.Allocated(func() {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if m, err = Parse(f); err != nil {
					t.Fatal(err)
				}
			})
			ratio := float64(alloc) / float64(len(raw))
			t.Logf("%s: %d bytes, allocated %.2f× the message", name, len(raw), ratio)
			if ratio > 3 {
				t.Errorf("Parse(%d-byte %s reply) allocated %d bytes: %.2f× the message, want ≤ 3×", len(raw), name, alloc, ratio)
			}
			if n := len(m.Content.Parts); name == "attachment base64" && n != 2 {
				t.Errorf("%d parts, want 2", n)
			}
		})
	}
}

// BenchmarkParse_memory reports the bytes allocated per byte of message
// ("alloc/B") for the 20 MB replies of TestParse_memory.
func BenchmarkParse_memory(b *testing.B) {
	for name, raw := range lineartest.LargeReplies(20 << 20) {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "m.eml")
			os.WriteFile(path, raw, 0o644)
			b.SetBytes(int64(len(raw)))
			var total uint64
			for b.Loop() {
				total += lineartest.Allocated(func() {
					f, _ := os.Open(path)
					defer f.Close()
					if _, err := Parse(f); err != nil {
						b.Fatal(err)
					}
				})
			}
			b.ReportMetric(float64(total)/float64(b.N)/float64(len(raw)), "alloc/B")
		})
	}
}
