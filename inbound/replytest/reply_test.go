package replytest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/reply"
	"github.com/mailtrail/mailtrail/inbound/replytest"
)

const resource = "a74e22bb-3313-4dc4-af28-6c2bd1351c0f"

// TestReply_readBack builds every client's reply in every language and
// shape to a message rendered by the mailer, and reads it back as the
// application does: inbound.Trace must give the resource (exactly, or
// the subject tag for a subject-only reply), as a reply, and
// reply.Parse exactly the partner's text, no quote, no signature.
func TestReply_readBack(t *testing.T) {
	orig := sent(t, resource)
	for _, client := range replytest.Clients {
		for _, lang := range replytest.Languages {
			for _, shape := range replytest.Shapes {
				name := fmt.Sprintf("%s/%s/%s", client, lang, shape)
				t.Run(name, func(t *testing.T) {
					raw, err := replytest.Reply(orig, client, lang, shape)
					if shape == replytest.BottomPosted && (client != replytest.Gmail && client != replytest.AppleMail &&
						client != replytest.Thunderbird && client != replytest.IPhone) {
						if !errors.Is(err, replytest.ErrUnsupported) {
							t.Fatalf("Reply() = %v, want ErrUnsupported", err)
						}
						return
					}
					if err != nil {
						t.Fatalf("Reply() = %v", err)
					}
					checkReply(t, raw, shape, sample(lang), nil)
				})
			}
		}
	}
}

// sample is the default text of a language, as Reply writes it.
func sample(lang replytest.Language) string {
	return map[replytest.Language]string{
		replytest.English: "Done, everything is in order.", replytest.French: "C'est fait, tout est en ordre.",
		replytest.German: "Erledigt, alles ist in Ordnung.", replytest.Spanish: "Hecho, todo está en orden.",
		replytest.Italian: "Fatto, è tutto in ordine.", replytest.Dutch: "Gedaan, alles is in orde.",
		replytest.Portuguese: "Feito, está tudo em ordem.",
	}[lang]
}

// checkReply reads raw back and compares with what the partner wrote.
func checkReply(t *testing.T, raw []byte, shape replytest.Shape, text string, data map[string]any) {
	t.Helper()
	m, tr, err := read(t, raw)
	want := struct {
		res    string
		source identity.Source
		exact  bool
	}{resource, identity.SourceAddress, true}
	switch shape {
	case replytest.ToFrom:
		want.source = identity.SourceInReplyTo
	case replytest.SubjectOnly:
		want.res, want.source, want.exact = resource[:8], identity.SourceSubject, false
	}
	if err != nil || tr.Resource != want.res || tr.Source != want.source || tr.Exact != want.exact || tr.Kind != inbound.Reply {
		t.Errorf("Trace() = %+v, %v; want %s from %s (exact %v), a reply\n%s", tr, err, want.res, want.source, want.exact, raw)
	}
	r := reply.Parse(m)
	if r.Text != text {
		t.Errorf("ParseReply().Text = %q, want %q\n%s", r.Text, text, raw)
	}
	if got, want := jsonOf(r.Data), jsonOf(data); data != nil && got != want {
		t.Errorf("ParseReply().Data = %v, want %v", r.Data, data)
	}
}

// jsonOf compares data whatever the types of its numbers.
func jsonOf(v map[string]any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestReply_data answers with a JSON part and with YAML in the text, from
// every client and in every language.
func TestReply_data(t *testing.T) {
	orig := sent(t, resource)
	for _, client := range replytest.Clients {
		for _, lang := range replytest.Languages {
			t.Run(fmt.Sprintf("%s/%s/json", client, lang), func(t *testing.T) {
				data := map[string]any{"status": "done", "mileage": float64(48213)}
				raw, err := replytest.Reply(orig, client, lang, replytest.JSON(data), replytest.Text("See the data."))
				if err != nil {
					t.Fatal(err)
				}
				checkReply(t, raw, replytest.TopPosted, "See the data.", data)
			})
			t.Run(fmt.Sprintf("%s/%s/yaml", client, lang), func(t *testing.T) {
				raw, err := replytest.Reply(orig, client, lang, replytest.YAML("status: done\nmileage: 48213"))
				if err != nil {
					t.Fatal(err)
				}
				checkReply(t, raw, replytest.TopPosted, "status: done\nmileage: 48213\n---\n"+sample(lang),
					map[string]any{"status": "done", "mileage": 48213})
			})
		}
	}
}

// TestReply_options checks the partner, the text and the date given.
func TestReply_options(t *testing.T) {
	orig := sent(t, "WO-42")
	raw, err := replytest.Reply(orig, replytest.Thunderbird, replytest.German, replytest.From("Anna Weber <a.weber@werkstatt.example>"),
		replytest.Text("Erster Absatz.\n\nZweiter Absatz."))
	if err != nil {
		t.Fatal(err)
	}
	m, tr, err := read(t, raw)
	if err != nil || tr.Resource != "WO-42" {
		t.Fatalf("Trace() = %+v, %v", tr, err)
	}
	if got := m.Header.Get("From"); got != "Anna Weber <a.weber@werkstatt.example>" {
		t.Errorf("From = %q", got)
	}
	if r := reply.Parse(m); r.Text != "Erster Absatz.\n\nZweiter Absatz." {
		t.Errorf("ParseReply().Text = %q", r.Text)
	}
	if !strings.Contains(string(raw), "\r\n-- \r\nAnna Weber\r\n") {
		t.Errorf("Reply() has no \"-- \" signature naming the partner:\n%s", raw)
	}
	again, _ := replytest.Reply(orig, replytest.Thunderbird, replytest.German, replytest.From("Anna Weber <a.weber@werkstatt.example>"),
		replytest.Text("Erster Absatz.\n\nZweiter Absatz."))
	if string(again) != string(raw) {
		t.Error("Reply() gave different bytes for the same input")
	}
	if strings.Contains(string(raw), "\n") && strings.Count(string(raw), "\r\n") != strings.Count(string(raw), "\n") {
		t.Error("Reply() wrote a bare LF")
	}
	for _, bad := range []replytest.Option{replytest.Language("xx"), replytest.Client(99)} {
		if _, err := replytest.Reply(orig, bad); !errors.Is(err, replytest.ErrUnsupported) {
			t.Errorf("Reply(%v) = %v, want ErrUnsupported", bad, err)
		}
	}
	if _, err := replytest.Reply([]byte("no header at all")); err == nil {
		t.Error("Reply(garbage) = nil error")
	}
}
