package reply

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// crispMisses are crisp-oss/email-reply-parser cases the rules do not
// reach, with the reason.
var crispMisses = map[string]string{}

// TestStripQuote_crisp checks StripQuote against the expectations of
// crisp-oss/email-reply-parser's tests (testdata/crisp/README.md).
func TestStripQuote_crisp(t *testing.T) {
	dir := filepath.Join("testdata", "crisp")
	var exp struct {
		Cases []struct {
			File     string   `json:"file"`
			First    string   `json:"first_fragment"`
			Whole    bool     `json:"whole"`
			Contains []string `json:"contains"`
		} `json:"cases"`
	}
	readJSON(t, filepath.Join(dir, "expectations.json"), &exp)
	common, err := os.ReadFile(filepath.Join(dir, "common_first_fragment.txt"))
	if err != nil {
		t.Fatal(err)
	}
	pass := 0
	for _, c := range exp.Cases {
		ok := t.Run(strings.TrimSuffix(c.File, ".txt"), func(t *testing.T) {
			if reason, ok := crispMisses[c.File]; ok {
				t.Skipf("known miss: %s", reason)
			}
			raw, err := os.ReadFile(filepath.Join(dir, "fixtures", c.File))
			if err != nil {
				t.Fatal(err)
			}
			got := StripQuote(string(raw))
			switch {
			case c.First == "common":
				if got != string(common) {
					t.Errorf("StripQuote() = %q, want upstream's first fragment", got)
				}
			case c.Whole:
				if want := strings.TrimSpace(string(raw)); got != want {
					t.Errorf("StripQuote() = %q, want the whole text %q", got, want)
				}
			case len(c.Contains) > 0:
				for _, s := range c.Contains {
					if !strings.Contains(got, s) {
						t.Errorf("StripQuote() = %q, want it to hold %q", got, s)
					}
				}
			default:
				t.Fatalf("case %s asserts nothing", c.File)
			}
		})
		if _, miss := crispMisses[c.File]; ok && !miss {
			pass++
		}
	}
	t.Logf("crisp-oss/email-reply-parser: %d of %d cases pass", pass, len(exp.Cases))
}

// trimmerMisses are email_reply_trimmer cases where this package chooses
// otherwise, with the reason.
var trimmerMisses = map[string]string{
	"reply_after_selected_german_quote.txt": "the attribution above a quote that the reply answers inline stays with the quote, " +
		"so that the reader sees whose words are quoted; upstream drops the attribution and keeps the quote",
}

// TestStripQuote_emailReplyTrimmer checks StripQuote against
// discourse/email_reply_trimmer's trimmed files
// (testdata/email_reply_trimmer/README.md).
func TestStripQuote_emailReplyTrimmer(t *testing.T) {
	dir := filepath.Join("testdata", "email_reply_trimmer")
	names, err := filepath.Glob(filepath.Join(dir, "emails", "*.txt"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures in %s: %v", dir, err)
	}
	for _, name := range names {
		base := filepath.Base(name)
		t.Run(strings.TrimSuffix(base, ".txt"), func(t *testing.T) {
			if reason, ok := trimmerMisses[base]; ok {
				t.Skipf("deliberate difference: %s", reason)
			}
			in, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(dir, "trimmed", base))
			if err != nil {
				t.Fatal(err)
			}
			if got := StripQuote(strings.TrimSpace(string(in))); got != strings.TrimSpace(string(want)) {
				t.Errorf("StripQuote() =\n%s\nwant\n%s", got, want)
			}
		})
	}
}
