package mailer

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mailtrail/mailtrail/render"
)

func TestMailer_Render_brand(t *testing.T) {
	fsys := fstest.MapFS{
		"notice.md":    {Data: []byte("---\nsubject: Notice {{n}}\n---\nHello,\nsee you.\n")},
		"notice.fr.md": {Data: []byte("---\nsubject: Avis {{n}}\n---\nBonjour.\n")},
	}
	brand := &render.Brand{
		Name: "Acme Fleet", Color: "#C2410C", Address: "12 rue de la Paix\n75002 Paris",
		Unsubscribe: "https://acme.example/unsubscribe/p-1",
	}
	tests := []struct {
		name       string
		header     map[string]string
		locale     string
		wantUnsub  string
		wantPost   string
		wantInText []string
	}{
		{"brand adds one-click unsubscribe", nil, "", "<https://acme.example/unsubscribe/p-1>", "List-Unsubscribe=One-Click",
			[]string{"-- \nAcme Fleet\n12 rue de la Paix\n75002 Paris\n", "Unsubscribe: https://acme.example/unsubscribe/p-1\n"}},
		{"footer in the message's language", nil, "fr", "<https://acme.example/unsubscribe/p-1>", "List-Unsubscribe=One-Click",
			[]string{"Les réponses à ce message", "Se désabonner: https://acme.example/unsubscribe/p-1\n"}},
		{"message's own field wins", map[string]string{"list-unsubscribe": "<mailto:u@acme.example>"}, "", "<mailto:u@acme.example>", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newTestMailer(t, func(c *Config) { c.Render.Templates = fsys; c.Render.Brand = brand })
			env, err := m.Render(context.Background(), &Message{Template: "notice", Locale: tc.locale, To: []string{"p@example.net"},
				Resource: "r1", Data: map[string]any{"n": "7"}, Header: tc.header})
			if err != nil {
				t.Fatal(err)
			}
			msg, err := mail.ReadMessage(bytes.NewReader(env.Data))
			if err != nil {
				t.Fatal(err)
			}
			if got := msg.Header.Get("List-Unsubscribe"); got != tc.wantUnsub {
				t.Errorf("List-Unsubscribe = %q, want %q", got, tc.wantUnsub)
			}
			if got := msg.Header.Get("List-Unsubscribe-Post"); got != tc.wantPost {
				t.Errorf("List-Unsubscribe-Post = %q, want %q", got, tc.wantPost)
			}
			parts := decodedParts(t, env.Data)
			for _, w := range tc.wantInText {
				if !strings.Contains(parts["text/plain"], w) {
					t.Errorf("text part lacks %q:\n%s", w, parts["text/plain"])
				}
			}
			html := parts["text/html"]
			for _, w := range []string{"Acme Fleet</td>", "Acme Fleet</p>", "12 rue de la Paix<br/>75002 Paris", "#c2410c"} {
				if !strings.Contains(html, w) {
					t.Errorf("HTML part lacks %q", w)
				}
			}
		})
	}
}

// decodedParts returns the decoded leaf parts of a message by media type.
func decodedParts(t *testing.T, data []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(ct string, body io.Reader)
	walk = func(ct string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatal(err)
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", mt, err)
			}
			pt := p.Header.Get("Content-Type")
			if strings.HasPrefix(pt, "multipart/") {
				walk(pt, p)
				continue
			}
			leaf, _, _ := mime.ParseMediaType(pt)
			out[leaf] = strings.ReplaceAll(string(decodePart(t, p)), "\r\n", "\n")
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Body)
	return out
}
