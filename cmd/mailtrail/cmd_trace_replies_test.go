package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/inbound"
)

// traceRendered renders a real outbound message with mailtrail render,
// for a resource given in upper case as some databases print UUIDs, and
// returns the raw message.
func traceRendered(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "vehicle-check.md")
	data := filepath.Join(dir, "check.json")
	out := filepath.Join(dir, "out.eml")
	if err := os.WriteFile(tmpl, []byte("---\nsubject: Vehicle check {{vehicle.plate_number}}\n---\n"+
		"Dear partner,\n\nPlease check vehicle **{{vehicle.plate_number}}** located {{vehicle.address}}.\n\nKind regards,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(data, []byte(`{"vehicle": {"plate_number": "AB-123-CD", "address": "3 rue de la Paix, Paris"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := traceRun(t, "", "render", "--template", tmpl, "--data", data, "--from", "Fleet desk <fleet@example.com>",
		"--to", "jean@garage.example", "--resource", "A74E22BB-3313-4DC4-AF28-6C2BD1351C0F", "-o", out)
	if code != 0 {
		t.Fatalf("mailtrail render: exit %d, err %q", code, errs)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// traceReplyFiles turns the reply templates of testdata/replies (*.eml.in)
// into .eml files answering raw, the way each mail client writes them, and
// returns their paths by name. Markers: @RT@ the Reply-To address (also
// @RTLOWER@, @RTUPPER@), @MID@ the Message-ID (@MIDUPPER@), @REFS@ the
// References, @SUBJ@ the subject (@QSUBJ@ inside a Q encoded word), @RID@
// the resource as written, @OUT@ the whole original, @OUTHEAD@ its header.
// Files are written with CRLF line endings, except Apple Mail's (LF), as
// clients save them.
func traceReplyFiles(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	orig, err := inbound.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := orig.Header
	rt, mid, refs, subj := h.Get("Reply-To"), h.Get("Message-Id"), h.Get("References"), h.Get("Subject")
	if rt == "" || mid == "" || refs == "" || !strings.HasPrefix(subj, "[") {
		t.Fatalf("rendered message lacks identifiers: Reply-To %q Message-ID %q References %q Subject %q", rt, mid, refs, subj)
	}
	local, _, _ := strings.Cut(rt, "@")
	_, rid, _ := strings.Cut(local, "+")
	lf := strings.ReplaceAll(string(raw), "\r\n", "\n")
	head, _, _ := strings.Cut(lf, "\n\n")
	r := strings.NewReplacer(
		"@RTLOWER@", strings.ToLower(rt), "@RTUPPER@", strings.ToUpper(rt), "@RT@", rt,
		"@MIDUPPER@", strings.ToUpper(mid), "@MID@", mid, "@REFS@", refs,
		"@QSUBJ@", strings.NewReplacer(" ", "_", "[", "=5B", "]", "=5D").Replace(subj), "@SUBJ@", subj,
		"@RID@", rid, "@OUTHEAD@", head, "@OUT@", lf,
	)
	ins, _ := filepath.Glob(filepath.Join("testdata", "replies", "*.eml.in"))
	if len(ins) == 0 {
		t.Fatal("no reply templates in testdata/replies")
	}
	dir := t.TempDir()
	files := map[string]string{}
	for _, in := range ins {
		b, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(in), ".in")
		s := strings.ReplaceAll(r.Replace(string(b)), "\r\n", "\n")
		if name != "apple.eml" {
			s = strings.ReplaceAll(s, "\n", "\r\n")
		}
		files[name] = filepath.Join(dir, name)
		if err := os.WriteFile(files[name], []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// TestTrace_renderedReplies runs trace and inspect, as a user would, on
// replies to a real rendered message saved from Gmail, Outlook, Apple
// Mail, Thunderbird and an iPhone, and on forwarded, bounced, automatic,
// unrelated and forged messages: exit codes, output and notes exactly.
func TestTrace_renderedReplies(t *testing.T) {
	const rid = "a74e22bb-3313-4dc4-af28-6c2bd1351c0f" // canonical: lower case
	const tag = "A74E22BB"                             // the subject tag, as written
	files := traceReplyFiles(t, traceRendered(t))
	tests := []struct {
		file     string
		code     int
		resource string
		source   string
		exact    bool
		note     string // in standard error; "" when there must be none
		text     string // inspect's reply.text
		atts     int    // inspect's reply.attachments
	}{
		{"gmail.eml", 0, rid, "address", true, "", "plate: AB-123-CD\nMileage: 12000\n---\nChecked, all fine. The car is at the garage until Friday.", 0},
		{"outlook.eml", 0, rid, "address", true, "", "Véhicule contrôlé, tout est en ordre.", 0},
		{"apple.eml", 0, rid, "references", true, "", "Done, the tyres are at 2.4 bar.", 0},
		{"thunderbird.eml", 0, rid, "address", true, "", "Bonjour,\n\nLe véhicule est prêt.", 0},
		{"phone.eml", 0, rid, "address", true, "", "Photo attached.", 4},
		{"html_only.eml", 0, rid, "address", true, "", "Café ouvert, véhicule prêt.", 2},
		{"replied_to_from.eml", 0, rid, "in-reply-to", true, "", "Erledigt, das Fahrzeug ist geprüft.", 0},
		{"truncated.eml", 0, rid, "address", true, "", "", 0},
		{"forwarded.eml", 0, tag, "subject", false, "only the subject tag matched", "Can you handle this?", 0},
		{"subject_only.eml", 0, tag, "subject", false, "only the subject tag matched", "Bob here.", 0},
		{"bounce_rfc822.eml", 0, rid, "address", true, "a bounce", "", 0},
		{"bounce_headers.eml", 0, rid, "address", true, "a bounce", "Delivery failed.", 0},
		{"bounce_mixed.eml", 0, rid, "address", true, "a bounce", "", 0},
		{"null_return_path.eml", 0, rid, "address", true, "a bounce", "Your message was received.", 0},
		{"ooo_autosubmitted.eml", 0, rid, "address", true, "an automatic reply", "I am out of the office until Monday.", 0},
		{"ooo_xautoreply.eml", 0, rid, "address", true, "an automatic reply", "Away.", 0},
		{"ooo_bulk.eml", 0, rid, "address", true, "an automatic reply", "Ticket received.", 0},
		{"unrelated.eml", 1, "", "", false, "no resource of fleet@example.com found", "See you.", 0},
		{"forged_other.eml", 1, "", "", false, "no resource of fleet@example.com found", "Hi.", 0},
	}
	if len(tests) != len(files) {
		t.Errorf("%d cases for %d reply templates", len(tests), len(files))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := files[tt.file]
			if path == "" {
				t.Fatalf("no template testdata/replies/%s.in", tt.file)
			}
			// Plain output: the id and a newline.
			code, out, errs := traceRun(t, "", "trace", "--from", "fleet@example.com", path)
			wantOut := ""
			if tt.code == 0 {
				wantOut = tt.resource + "\n"
			}
			if code != tt.code || out != wantOut {
				t.Errorf("trace = exit %d, out %q; want exit %d, out %q (err %q)", code, out, tt.code, wantOut, errs)
			}
			if tt.note == "" && errs != "" || !strings.Contains(errs, tt.note) {
				t.Errorf("trace stderr = %q, want a note containing %q", errs, tt.note)
			}
			// --json: the contract's four keys, the same exit code.
			code, out, _ = traceRun(t, "", "trace", "--json", "--from", "fleet@example.com", path)
			if code != tt.code {
				t.Errorf("trace --json = exit %d, want %d", code, tt.code)
			}
			if tt.code == 0 {
				kind := "reply"
				switch tt.note {
				case "a bounce":
					kind = "bounce"
				case "an automatic reply":
					kind = "auto-reply"
				}
				want, _ := json.Marshal(map[string]any{"resource": tt.resource, "source": tt.source, "exact": tt.exact, "kind": kind})
				var got map[string]any
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatalf("trace --json output %q: %v", out, err)
				}
				if g, _ := json.Marshal(got); string(g) != string(want) {
					t.Errorf("trace --json = %s, want %s", g, want)
				}
			} else if out != "" {
				t.Errorf("trace --json printed %q with exit %d", out, code)
			}
			// inspect: always exit 0 on a readable message.
			code, out, errs = traceRun(t, "", "inspect", path)
			if code != 0 {
				t.Fatalf("inspect = exit %d, err %q", code, errs)
			}
			var got struct {
				Reply struct {
					Text        string            `json:"text"`
					Attachments []json.RawMessage `json:"attachments"`
				} `json:"reply"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("inspect output is not JSON: %v", err)
			}
			if tt.text != "" && got.Reply.Text != tt.text || len(got.Reply.Attachments) != tt.atts {
				t.Errorf("inspect reply = %q with %d attachments, want %q with %d", got.Reply.Text, len(got.Reply.Attachments), tt.text, tt.atts)
			}
		})
	}
}
