package imap_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/inbound/imap"
	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// TestReaders_linear proves by bytes allocated, not by time, that opening
// a ledger file and checking a mailbox URL (the fuzz targets' functions)
// grow linearly with hostile input.
func TestReaders_linear(t *testing.T) {
	dir := t.TempDir()
	ledgers := []struct {
		name string
		line func(i int) string
	}{
		{"records", func(i int) string { return fmt.Sprintf(`{"key":"<%d@x.example>","outcome":"processed"}`, i) }},
		{"the same key", func(int) string { return `{"key":"<a@x.example>","outcome":"failed"}` }},
		{"garbage", func(int) string { return "{\x00\xff" }},
	}
	for _, tt := range ledgers {
		t.Run("OpenFileLedger "+tt.name, func(t *testing.T) {
			file := func(n int) string {
				var b strings.Builder
				for i := range n / 8 {
					b.WriteString(tt.line(i) + "\n")
				}
				path := filepath.Join(dir, fmt.Sprintf("%s-%d.jsonl", strings.ReplaceAll(tt.name, " ", "-"), n))
				if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
					t.Fatal(err)
				}
				return path
			}
			lineartest.Check(t, 2000, file, func(path string) {
				l, err := imap.OpenFileLedger(path)
				if err != nil {
					t.Fatal(err)
				}
				l.Close()
			})
		})
	}
	t.Run("Check URL", func(t *testing.T) {
		url := func(n int) string {
			return "imaps://u:" + strings.Repeat("%40", n) + "@h.example/" + strings.Repeat("a/", n)
		}
		lineartest.Check(t, 2000, url, func(u string) { (&imap.Poller{URL: u}).Check() })
	})
}
