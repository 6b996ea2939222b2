package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var inspectUpdate = flag.Bool("inspect-update", false, "rewrite testdata/inspect golden files")

// TestInspect_golden checks inspect's output byte for byte, with and
// without --from, on the reply fixtures and on messages that exercise the
// JSON encoding of bodies: charsets, invalid UTF-8, control characters,
// line breaks of every kind, attachments, broken MIME.
func TestInspect_golden(t *testing.T) {
	var files []string
	for _, glob := range []string{"testdata/inspect/*.eml", filepath.Join(traceFixtures, "*.eml")} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("%d fixtures, want the reply fixtures and testdata/inspect", len(files))
	}
	for _, file := range files {
		for _, from := range []string{"", "fleet@example.com"} {
			name := strings.TrimSuffix(filepath.Base(file), ".eml")
			args := []string{"inspect", file}
			if from != "" {
				name += ".from"
				args = []string{"inspect", "--from", from, file}
			}
			t.Run(name, func(t *testing.T) {
				code, out, errs := traceRun(t, "", args...)
				if code != 0 {
					t.Fatalf("exit %d, err %q", code, errs)
				}
				golden := filepath.Join("testdata", "inspect", "golden", name+".json")
				if *inspectUpdate {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -run Inspect_golden -inspect-update)", err)
				}
				if out != string(want) {
					t.Errorf("inspect %s differs from %s:\n%s", file, golden, out)
				}
			})
		}
	}
}
