package replytest_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"testing/fstest"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/mailer"
)

var app = identity.App{Name: "fleet", Domain: "example.com"}

// sent renders a real outbound message with the mailer, to the partner
// "Jean Dupont <jean.dupont@garage.example>", about resource.
func sent(t testing.TB, resource string) []byte {
	t.Helper()
	m, err := mailer.NewRenderer(mailer.Config{
		Identity: mailer.Identity{From: "Fleet desk <fleet@example.com>", NewToken: func() string { return "3xkq7nbn2adqgmhwrd6a" }},
		Render: mailer.RenderConfig{
			Templates: fstest.MapFS{"vehicle-check.md": {Data: []byte("---\nsubject: Vehicle check {{plate}}\n---\n" +
				"Dear partner,\n\nPlease check vehicle **{{plate}}** located {{address}}.\n\nKind regards,\n")}},
		},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	env, err := m.Render(context.Background(), &mailer.Message{Template: "vehicle-check",
		To: []string{"Jean Dupont <jean.dupont@garage.example>"}, Resource: resource,
		Data: map[string]any{"plate": "AB-123-CD", "address": "3 rue de la Paix, Paris"}})
	if err != nil {
		t.Fatal(err)
	}
	return env.Data
}

// read parses raw and traces it.
func read(t testing.TB, raw []byte) (*inbound.Message, *inbound.Result, error) {
	t.Helper()
	m, err := inbound.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("inbound.Parse() = %v\n%s", err, raw)
	}
	tr, err := inbound.Trace(m, app)
	return m, tr, err
}
