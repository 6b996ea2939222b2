package inbound_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/reply"
	"github.com/mailtrail/mailtrail/inbound/replytest"
	"github.com/mailtrail/mailtrail/mailer"
)

// renderOutbound renders a real outbound message of this project.
func renderOutbound(t *testing.T) (*mailer.Envelope, *inbound.Message) {
	t.Helper()
	m, err := mailer.NewRenderer(mailer.Config{
		Identity: mailer.Identity{From: "Fleet desk <fleet@example.com>", NewToken: func() string { return "k3x9" }},
		Render: mailer.RenderConfig{
			Templates: fstest.MapFS{"vehicle-check.md": {Data: []byte("---\nsubject: Vehicle check {{vehicle.plate_number}}\n---\n" +
				"Dear partner,\n\nPlease check vehicle **{{vehicle.plate_number}}** located {{vehicle.address}}.\n\nKind regards,\n")}},
		},
		Logger: slog.New(slog.DiscardHandler),
		Now:    func() time.Time { return time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	env, err := m.Render(context.Background(), &mailer.Message{
		Template: "vehicle-check",
		To:       []string{"Jean Partner <jean@garage.example>"},
		Resource: "a74e22bb-3313-4dc4-af28-6c2bd1351c0f",
		Data:     map[string]any{"vehicle": map[string]any{"plate_number": "AB-123-CD", "address": "3 rue de la Paix, Paris"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := inbound.Parse(bytes.NewReader(env.Data))
	if err != nil {
		t.Fatal(err)
	}
	return env, out
}

func TestParse_ourOutbound(t *testing.T) {
	_, m := renderOutbound(t)
	if m.Content.ContentType != "multipart/alternative" {
		t.Fatalf("root = %s, want multipart/alternative", m.Content.ContentType)
	}
	var types []string
	for _, p := range m.Content.Parts {
		types = append(types, p.ContentType)
	}
	if got := strings.Join(types, ","); got != "application/json,text/plain,text/html" {
		t.Errorf("parts = %s", got)
	}
	if len(m.Defects) > 0 {
		t.Errorf("defects = %q", m.Defects)
	}
	r := reply.Parse(m)
	if v, _ := r.Get("Vehicle.Plate Number"); v != "AB-123-CD" || r.DataType != "application/json" {
		t.Errorf("Get(Vehicle.Plate Number) = %v (%s), want AB-123-CD from the JSON part", v, r.DataType)
	}
	if !strings.Contains(r.Text, "Please check vehicle") || !strings.Contains(r.Text, "AB-123-CD") {
		t.Errorf("text = %q", r.Text)
	}
	if p := m.BodyPart("text/html", "text/plain"); p == nil || p.ContentType != "text/html" {
		t.Errorf("BodyPart(html, plain) = %v", p)
	}
}

// TestTrace_repliesToOutbound builds replies to a real outbound message
// the way clients do (package replytest), keeping some identifiers and
// losing others.
func TestTrace_repliesToOutbound(t *testing.T) {
	env, out := renderOutbound(t)
	app, _ := identity.ParseApp("fleet@example.com")
	const rid = "a74e22bb-3313-4dc4-af28-6c2bd1351c0f"
	build := func(opts ...replytest.Option) func() ([]byte, error) {
		return func() ([]byte, error) { return replytest.Reply(env.Data, opts...) }
	}
	// A reply whose client kept only References (no In-Reply-To), to the
	// application's plain address: replytest has no such client, so it is
	// written here.
	body, _ := out.BodyPart("text/plain").Text()
	onlyRefs := "From: Jean Partner <jean@garage.example>\nTo: fleet@example.com\nReferences: <x@other.example> " +
		out.Header.Get("References") + "\nSubject: hello\nContent-Type: text/plain; charset=utf-8\n\nDone.\n\n" +
		"On Tue, Mar 3, 2026 at 9:00 AM Fleet desk <fleet@example.com> wrote:\n> " +
		strings.ReplaceAll(strings.TrimRight(body, "\n"), "\n", "\n> ") + "\n"

	tests := []struct {
		name   string
		build  func() ([]byte, error)
		source string
		exact  bool
		kind   inbound.Kind
	}{
		{"reply-all keeps everything", build(replytest.Gmail, replytest.Text("Done.")), "address", true, inbound.Reply},
		{"replied to From", build(replytest.Outlook, replytest.German, replytest.ToFrom, replytest.Text("Done.")), "in-reply-to", true, inbound.Reply},
		{"only References", func() ([]byte, error) { return []byte(onlyRefs), nil }, "references", true, inbound.Reply},
		{"only the subject", build(replytest.Thunderbird, replytest.SubjectOnly, replytest.Text("Done.")), "subject", false, inbound.Reply},
		{"out of office", func() ([]byte, error) {
			return replytest.AutoReply(env.Data, replytest.OutOfOffice, replytest.Text("Done."))
		}, "in-reply-to", true, inbound.AutoReply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := tt.build()
			if err != nil {
				t.Fatal(err)
			}
			m, err := inbound.Parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			res, err := inbound.Trace(m, app)
			if err != nil {
				t.Fatalf("Trace() error = %v", err)
			}
			want := rid
			if !tt.exact {
				want = rid[:8]
			}
			if res.Resource != want || res.Source.String() != tt.source || res.Exact != tt.exact || res.Kind != tt.kind {
				t.Errorf("Trace() = %s %s %v %s, want %s %s %v %s", res.Resource, res.Source, res.Exact, res.Kind, want, tt.source, tt.exact, tt.kind)
			}
			if got := reply.Parse(m).Text; got != "Done." {
				t.Errorf("reply text = %q, want %q", got, "Done.")
			}
		})
	}

	t.Run("bounce of the outbound", func(t *testing.T) {
		raw, err := replytest.Bounce(env.Data, "5.1.1")
		if err != nil {
			t.Fatal(err)
		}
		m, err := inbound.Parse(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		res, err := inbound.Trace(m, app)
		if err != nil || res.Resource != rid || !res.Exact || res.Kind != inbound.Bounce {
			t.Fatalf("Trace(bounce) = %+v, %v, want %s exact bounce", res, err, rid)
		}
		// The bounced original's JSON part is not the partner's data.
		if r := reply.Parse(m); r.Data != nil {
			t.Errorf("ParseReply(bounce).Data = %v, want nil", r.Data)
		}
	})
}
