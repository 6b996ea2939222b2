package reply

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"

	"github.com/mailtrail/mailtrail/inbound"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	testApp = "fleet@example.com"
	testRID = "a74e22bb-3313-4dc4-af28-6c2bd1351c0f"
)

func fleetApp(t testing.TB) identity.App {
	t.Helper()
	app, err := identity.ParseApp(testApp)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// TestTrace_replies checks the resource and kind of every reply fixture;
// the golden files record the rest.
func TestTrace_replies(t *testing.T) {
	tests := []struct {
		file     string
		resource string // "" when none must be found
		source   string
		exact    bool
		kind     inbound.Kind
	}{
		{"gmail.eml", testRID, "address", true, inbound.Reply},
		{"outlook.eml", testRID, "address", true, inbound.Reply},
		{"apple_mail.eml", testRID, "address", true, inbound.Reply},
		{"thunderbird.eml", testRID, "address", true, inbound.Reply},
		{"iphone.eml", testRID, "address", true, inbound.Reply},
		{"forwarded.eml", testRID, "address", true, inbound.Reply},
		{"bounce_rfc822.eml", testRID, "address", true, inbound.Bounce},
		{"bounce_headers.eml", testRID, "address", true, inbound.Bounce},
		{"autoreply.eml", testRID, "address", true, inbound.AutoReply},
		{"unrelated.eml", "", "", false, inbound.Reply},
		{"forged.eml", "a74e22bb", "subject", false, inbound.Reply},
		{"html_attachments.eml", testRID, "address", true, inbound.Reply},
		{"json_part.eml", testRID, "address", true, inbound.Reply},
		{"nested.eml", testRID, "references", true, inbound.Reply},
	}
	app := fleetApp(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := parseFile(t, filepath.Join("../testdata", "replies", tt.file))
			res, err := inbound.Trace(m, app)
			if tt.resource == "" {
				if !errors.Is(err, identity.ErrNotFound) {
					t.Fatalf("Trace() = %+v, %v, want ErrNotFound", res, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Trace() error = %v", err)
			}
			if res.Resource != tt.resource || res.Source.String() != tt.source || res.Exact != tt.exact || res.Kind != tt.kind {
				t.Errorf("Trace() = %s %s exact=%v %s, want %s %s exact=%v %s",
					res.Resource, res.Source, res.Exact, res.Kind, tt.resource, tt.source, tt.exact, tt.kind)
			}
		})
	}
}

func parseFile(t testing.TB, path string) *inbound.Message {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := inbound.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("Parse(%s) error = %v", path, err)
	}
	return m
}

// golden is what a golden file records of one message.
type golden struct {
	Tree    []string         `json:"tree"`
	Defects []inbound.Defect `json:"defects,omitempty"`
	From    string           `json:"from"`
	To      []string         `json:"to"`
	Subject string           `json:"subject"`
	Trace   map[string]any   `json:"trace"`
	Reply   map[string]any   `json:"reply"`
}

func treeLines(p *inbound.Part, indent string, out *[]string) {
	s := indent + p.ContentType
	if p.Charset != "" {
		s += " charset=" + p.Charset
	}
	if p.Filename != "" {
		s += fmt.Sprintf(" filename=%q", p.Filename)
	}
	if len(p.Parts) == 0 {
		s += fmt.Sprintf(" (%d bytes)", len(p.Body))
	}
	*out = append(*out, s)
	for _, c := range p.Parts {
		treeLines(c, indent+"  ", out)
	}
}

func makeGolden(t *testing.T, m *inbound.Message, app identity.App) golden {
	g := golden{Defects: m.Defects, From: m.From, To: m.To, Subject: m.Subject()}
	treeLines(m.Content, "", &g.Tree)
	res, err := inbound.Trace(m, app)
	switch {
	case err == nil:
		g.Trace = map[string]any{"resource": res.Resource, "source": res.Source.String(), "exact": res.Exact, "kind": res.Kind.String()}
	default:
		g.Trace = map[string]any{"error": err.Error()}
		if res != nil {
			g.Trace["kind"] = res.Kind.String()
		}
	}
	r := Parse(m)
	var atts []string
	for _, a := range r.Attachments {
		atts = append(atts, fmt.Sprintf("%s %q %d bytes", a.ContentType, a.Filename, a.Size))
	}
	g.Reply = map[string]any{"text": r.Text, "signature": r.Signature, "text-type": r.TextType,
		"data": r.Data, "data-type": r.DataType, "attachments": atts}
	return g
}

// TestParseReply_golden compares each fixture's tree, trace and reply with
// its golden file; run with -update to rewrite them, then review the diff.
func TestParseReply_golden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("../testdata", "replies", "*.eml"))
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	app := fleetApp(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			m := parseFile(t, f)
			got, err := json.MarshalIndent(makeGolden(t, m, app), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := strings.TrimSuffix(f, ".eml") + ".golden.json"
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s", f, path, got)
			}
		})
	}
}
