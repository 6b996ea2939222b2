package identity_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"net/mail"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
)

var update = flag.Bool("update", false, "rewrite testdata/trace.golden.json")

// goldenResult is what TestTrace_golden records for one message.
type goldenResult struct {
	Resource string          `json:"resource,omitempty"`
	Source   identity.Source `json:"source"`
	Exact    bool            `json:"exact"`
	Sender   string          `json:"sender,omitempty"`
	Header   string          `json:"header,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// TestTrace_golden traces every testdata/*.eml, as saved from mail clients,
// and compares with testdata/trace.golden.json (go test -update rewrites it).
func TestTrace_golden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.eml: %v", err)
	}
	got := map[string]goldenResult{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r, err := identity.Trace(m.Header, app(t))
		if r == nil {
			t.Fatalf("%s: Trace() = nil, %v", name, err)
		}
		g := goldenResult{r.Resource, r.Source, r.Exact, r.Sender, r.Header, ""}
		if err != nil {
			if !errors.Is(err, identity.ErrNotFound) {
				t.Fatalf("%s: Trace() error = %v", name, err)
			}
			g.Error = err.Error()
		}
		got[filepath.Base(name)] = g
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	golden := filepath.Join("testdata", "trace.golden.json")
	if *update {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(b, want) {
		t.Fatalf("Trace() of testdata/*.eml =\n%s\nwant (testdata/trace.golden.json)\n%s", b, want)
	}
}
