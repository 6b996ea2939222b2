package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out[1].eml")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new"), 0o600); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	b, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if string(b) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("after WriteFile: %q, mode %v; want \"new\", 0600", b, fi.Mode().Perm())
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("folder holds %v, want only the file", names)
	}
}

func TestFile_abortAndFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.jsonl")
	os.WriteFile(path, []byte("earlier"), 0o644)

	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("partial")
	if got := Leftovers(path); len(got) != 1 || got[0] != f.Name() {
		t.Errorf("Leftovers(%q) = %v, want the file being written", path, got)
	}
	f.Abort()
	f.Abort() // twice is harmless
	if err := f.Commit(0o644); err == nil {
		t.Error("Commit after Abort succeeded, want an error")
	}
	if b, _ := os.ReadFile(path); string(b) != "earlier" {
		t.Errorf("path holds %q after Abort, want it untouched", b)
	}

	// A rename that fails (the path is a non-empty folder) leaves nothing.
	busy := filepath.Join(dir, "busy")
	os.MkdirAll(filepath.Join(busy, "x"), 0o755)
	f, err = Create(busy)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(0o644); err == nil {
		t.Error("Commit over a non-empty folder succeeded, want an error")
	}
	if names := entries(t, dir); len(names) != 2 {
		t.Errorf("folder holds %v, want report.jsonl and busy only", names)
	}
}
