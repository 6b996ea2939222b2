package mailer

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// A Renderer needs no transport, and renders the same bytes as a Mailer
// with the same Config.
func TestNewRenderer_sameBytesAsMailer(t *testing.T) {
	cfg := testConfig(t)
	cfg.Render.Templates = testTemplates
	cfg.Render.ListID = "orders.example.com"
	m, err := New(cfg)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	defer m.Close()
	cfg.Transport = TransportConfig{Getenv: func(string) string { return "" }} // nowhere to send
	if _, err := New(cfg); !errors.Is(err, ErrNoTransport) {
		t.Fatalf("New(no transport) = %v, want ErrNoTransport", err)
	}
	r, err := NewRenderer(cfg)
	if err != nil {
		t.Fatalf("NewRenderer(no transport) = %v", err)
	}
	msg := &Message{Template: "vehicle-check", To: []string{"partner@example.net"}, Resource: "WO-42",
		Data: map[string]any{"vehicle": map[string]any{"plate_number": "AB-123-CD", "address": "Paris"}}}
	want, err := m.Render(context.Background(), msg)
	if err != nil {
		t.Fatalf("Mailer.Render() = %v", err)
	}
	got, err := r.Render(context.Background(), msg)
	if err != nil {
		t.Fatalf("Renderer.Render() = %v", err)
	}
	if !bytes.Equal(got.Data, want.Data) || got.MessageID != want.MessageID || got.From != want.From {
		t.Errorf("Renderer.Render() differs from Mailer.Render():\n%s\nwant:\n%s", got.Data, want.Data)
	}
}

func TestNewRenderer_config(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no from", Config{}, "Identity.From is required"},
		{"bad from", Config{Identity: Identity{From: "not an address"}}, "From"},
		{"bad list id", Config{Identity: Identity{From: "app@example.com"}, Render: RenderConfig{ListID: "no dots"}}, "ListID"},
		{"bad signing", Config{Identity: Identity{From: "app@example.com"}, Signing: Signing{DKIMKey: []byte("not PEM"), DKIMSelector: "s"}}, "DKIM"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRenderer(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "mailer: config: ") {
				t.Errorf("NewRenderer() = %v, want a mailer: config: error containing %q", err, tc.want)
			}
		})
	}
}

func TestRenderer_Render_invalid(t *testing.T) {
	r, err := NewRenderer(Config{Identity: Identity{From: "app@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, msg := range map[string]*Message{
		"nil":         nil,
		"no template": {To: []string{"p@example.net"}},
		"no set":      {Template: "t", To: []string{"p@example.net"}},
	} {
		if _, err := r.Render(context.Background(), msg); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("Render(%s) = %v, want ErrInvalidMessage", name, err)
		}
	}
}
