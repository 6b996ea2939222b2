package reply

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/mailtrail/mailtrail/inbound"
)

type talonCase struct {
	File     string  `json:"file"`
	Kind     string  `json:"kind"`
	Expected string  `json:"expected_reply_text"`
	Sender   string  `json:"sender"`
	Sig      *string `json:"expected_signature"`
	Text     string  `json:"expected_text"`
	Derived  *struct {
		StartsWith string `json:"expected_reply_text_starts_with"`
		EndsWith   string `json:"expected_reply_text_ends_with"`
	} `json:"derived_not_upstream"`
}

// talonVariants are the plain_reply cases where this package strips a
// signature that talon keeps: StripQuote removes signatures as
// email_reply_parser does (see the corpora README).
var talonVariants = map[string]string{
	"fixtures/standard_replies/iphone.eml":  "Hello",
	"fixtures/standard_replies/sparrow.eml": "Hello",
}

// talonMisses are talon cases the rules do not reach, with the reason.
var talonMisses = map[string]string{
	"fixtures/reply-separated-by-hr.html": "the name \"Bob\" above the <hr> stays: talon drops the whole <div> holding " +
		"the rule, which would also drop a reply written in that div; rules cannot tell a sign-off name from text",
}

func loadTalon(t *testing.T) (string, []talonCase) {
	dir := corpusDir(t, "talon")
	var exp struct {
		Cases []talonCase `json:"cases"`
	}
	readJSON(t, filepath.Join(dir, "expectations.json"), &exp)
	return dir, exp.Cases
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func TestParseReply_talon(t *testing.T) {
	dir, cases := loadTalon(t)
	for _, c := range cases {
		if c.Kind == "signature" {
			continue
		}
		t.Run(strings.TrimPrefix(c.File, "fixtures/"), func(t *testing.T) {
			if reason, ok := talonMisses[c.File]; ok {
				t.Skipf("known miss: %s", reason)
			}
			raw, err := os.ReadFile(filepath.Join(dir, c.File))
			if err != nil {
				t.Fatal(err)
			}
			switch c.Kind {
			case "plain_reply":
				m, err := inbound.ParseWith(strings.NewReader(string(raw)), nil)
				if err != nil {
					t.Fatalf("Parse() error = %v", err)
				}
				p := m.BodyPart("text/plain")
				if p == nil {
					t.Fatal("no text/plain part")
				}
				text, _ := p.Text()
				got := StripQuote(text)
				want := strings.TrimSpace(c.Expected)
				if v, ok := talonVariants[c.File]; ok {
					want = v
				}
				if got != want {
					t.Errorf("StripQuote(text part) = %q, want %q", got, want)
				}
			case "html_reply":
				got := StripQuote(HTMLText(string(raw)))
				if noSpace(got) != noSpace(c.Expected) {
					t.Errorf("StripQuote(HTMLText()) = %q, want %q (white space ignored)", got, c.Expected)
				}
			case "plain_reply_raw":
				m, err := inbound.Parse(strings.NewReader(string(raw)))
				if err != nil {
					t.Fatalf("Parse() error = %v", err)
				}
				text, _ := m.BodyPart("text/plain").Text()
				got := StripQuote(text)
				if !strings.HasPrefix(got, c.Derived.StartsWith) || !strings.HasSuffix(got, c.Derived.EndsWith) {
					t.Errorf("StripQuote() = %q, want it to start with %q and end with %q", got, c.Derived.StartsWith, c.Derived.EndsWith)
				}
			default:
				t.Fatalf("unknown kind %q", c.Kind)
			}
		})
	}
}

func TestStripSignature_talon(t *testing.T) {
	dir, cases := loadTalon(t)
	for _, c := range cases {
		if c.Kind != "signature" {
			continue
		}
		t.Run(filepath.Base(c.File), func(t *testing.T) {
			if reason, ok := talonMisses[c.File]; ok {
				t.Skipf("known miss: %s", reason)
			}
			raw, err := os.ReadFile(filepath.Join(dir, c.File))
			if err != nil {
				t.Fatal(err)
			}
			body, sig := StripSignature(string(raw), c.Sender)
			wantSig := ""
			if c.Sig != nil {
				wantSig = strings.TrimSpace(*c.Sig)
			}
			if body != strings.TrimSpace(c.Text) || sig != wantSig {
				t.Errorf("StripSignature(_, %q) =\n%q,\n%q\nwant\n%q,\n%q", c.Sender, body, sig, strings.TrimSpace(c.Text), wantSig)
			}
		})
	}
}

// talonTextMisses are talon's inline cases where this package reads the
// text otherwise, with the reason.
var talonTextMisses = map[string]string{
	"test_reply_wraps_nested_quotations": "white space only: the blank line above the sign-off stays (upstream removes whole lines)",
	"test_from_block_starts_with_date": "a Date: and To: pair without From: is not read as a quoted header block: " +
		"a reply listing a date and a recipient would lose its end",
	"test_dont_parse_quotations_for_forwarded_messages": "deliberate: a forward is cut at its separator like a quote, " +
		"so that what the partner wrote above it is the reply (the forwarded message stays in the MIME parts)",
	"test_link_closed_with_quotation_marker_on_new_line": "a lone From: line with no other header labels is not read as a quoted header block",
}

// TestStripQuote_talonText checks StripQuote against the inline cases of
// mailgun/talon's text_quotations_test.py (testdata/talon-text/README.md).
func TestStripQuote_talonText(t *testing.T) {
	var exp struct {
		Cases []struct {
			Test     string `json:"upstream_test"`
			Input    string `json:"input"`
			Expected string `json:"expected"`
		} `json:"cases"`
	}
	readJSON(t, filepath.Join("testdata", "talon-text", "cases.json"), &exp)
	pass := 0
	for _, c := range exp.Cases {
		ok := t.Run(c.Test, func(t *testing.T) {
			if reason, ok := talonTextMisses[c.Test]; ok {
				t.Skipf("known difference: %s", reason)
			}
			if got := StripQuote(c.Input); got != c.Expected {
				t.Errorf("StripQuote(%q) =\n%q\nwant\n%q", c.Input, got, c.Expected)
			}
		})
		if _, miss := talonTextMisses[c.Test]; ok && !miss {
			pass++
		}
	}
	t.Logf("mailgun/talon inline cases: %d of %d pass", pass, len(exp.Cases))
}
