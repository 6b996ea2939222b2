package reply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// replyParserDeviations lists the email_reply_parser fixtures where
// StripQuote differs from the upstream library's actual output on purpose
// (none of these are upstream assertions).
var replyParserDeviations = map[string]string{}

// corpora is where the shared conformance corpora live, beside the repo.
const corpora = "../../../shared/corpora"

func corpusDir(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(corpora, name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus %s not found (clone the shared folder beside the repo): %v", dir, err)
	}
	return dir
}

func TestStripQuote_emailReplyParser(t *testing.T) {
	dir := corpusDir(t, "email-reply-parser")
	var exp struct {
		Cases []struct {
			File        string  `json:"file"`
			VisibleText *string `json:"visible_text"`
		} `json:"cases"`
	}
	var ref struct {
		Files map[string]struct {
			VisibleText struct {
				Text   *string `json:"text"`
				Len    int     `json:"text_len_bytes"`
				SHA256 string  `json:"text_sha256"`
			} `json:"visible_text"`
		} `json:"files"`
	}
	readJSON(t, filepath.Join(dir, "expectations.json"), &exp)
	readJSON(t, filepath.Join(dir, "reference_output.json"), &ref)
	asserted := map[string]string{}
	for _, c := range exp.Cases {
		if c.VisibleText != nil {
			asserted[c.File] = *c.VisibleText
		}
	}
	var names []string
	for n := range ref.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, "emails", name))
			if err != nil {
				t.Fatal(err)
			}
			got := stripBounded(t, string(body))
			if want, ok := asserted[name]; ok {
				if got != want {
					t.Errorf("StripQuote(%s) = %q, want (upstream assertion) %q", name, got, want)
				}
				return
			}
			if reason, ok := replyParserDeviations[name]; ok {
				t.Skipf("documented deviation: %s", reason)
			}
			r := ref.Files[name].VisibleText
			if r.Text != nil {
				if got != *r.Text {
					t.Errorf("StripQuote(%s) = %q, want (upstream output) %q", name, got, *r.Text)
				}
				return
			}
			sum := sha256.Sum256([]byte(got))
			if h := hex.EncodeToString(sum[:]); len(got) != r.Len || h != r.SHA256 {
				t.Errorf("StripQuote(%s) = %d bytes %s, want %d bytes %s", name, len(got), h[:12], r.Len, r.SHA256[:12])
			}
		})
	}
	t.Run("non-ASCII", func(t *testing.T) {
		if got, want := StripQuote("Here\u2019s a test."), "Here\u2019s a test."; got != want {
			t.Errorf("StripQuote() = %q, want %q", got, want)
		}
	})
}

// stripBounded runs StripQuote in a goroutine and fails (rather than
// hanging the test binary) when it does not finish within a generous
// bound: a guard against super-linear behaviour, not a speed assertion.
func stripBounded(t *testing.T, s string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan string, 1)
	go func() { done <- StripQuote(s) }()
	select {
	case got := <-done:
		return got
	case <-ctx.Done():
		t.Fatalf("StripQuote did not finish on %d bytes: super-linear?", len(s))
		return ""
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
