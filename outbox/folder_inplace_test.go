package outbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRewriteInPlace(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           string
		ok             bool
	}{
		{"shorter", `{"a": "long value"}` + "\n", `{"a": 1}` + "\n", `{"a": 1}           ` + "\n", true},
		{"longer", `{"a": 1}` + "\n", `{"a": "long value"}` + "\n", `{"a": "long value"}` + "\n", true},
		{"no newline", `{"a": 1}` + "\n", `{"a": 2}`, `{"a": 1}` + "\n", false},
		{"too big", `{}` + "\n", `"` + strings.Repeat("x", inPlaceMax) + `"` + "\n", `{}` + "\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "e.json")
			if err := os.WriteFile(path, []byte(tc.old), 0o600); err != nil {
				t.Fatal(err)
			}
			if got := rewriteInPlace(path, []byte(tc.new)); got != tc.ok {
				t.Errorf("rewriteInPlace = %v, want %v", got, tc.ok)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tc.want {
				t.Errorf("file = %q, want %q", got, tc.want)
			}
		})
	}
	if rewriteInPlace(filepath.Join(t.TempDir(), "missing.json"), []byte("{}\n")) {
		t.Error("rewriteInPlace of a missing file = true, want false")
	}
}

// A sent message's .json is rewritten in place: it must read back as the
// final entry, however its length changed.
func TestFolder_sentEntryRewritten(t *testing.T) {
	rec := &spoolRecorder{}
	s := quickSpool(t, FolderOptions{Transport: deliverFunc(rec.deliver)})
	env := spoolEnv(1)
	env.To = []string{"a-rather-long-recipient-address@partner.test", "another-long-one@partner.test"}
	id := spoolMustEnqueue(t, s, env)
	spoolDrain(t, s)
	e, err := s.Lookup(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if e.State != StateSent || e.Attempts != 1 || e.Done.IsZero() || !e.Next.IsZero() {
		t.Errorf("entry = state %v, attempts %d, done %v, next %v; want sent, 1, set, zero", e.State, e.Attempts, e.Done, e.Next)
	}
	if _, err := os.Stat(s.Path(StateQueued, id, ".json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("queue/%s.json still there: %v", id, err)
	}
}
