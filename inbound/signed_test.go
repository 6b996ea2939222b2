package inbound_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/mailer"
)

// A sequential id, the case signing is for.
const signedRID = "INV-2026-0042"

var (
	signedOld = identity.Key{ID: "a", Secret: []byte("old secret, at least 16 octets")}
	signedNew = identity.Key{ID: "b", Secret: []byte("new secret, at least 16 octets")}
)

// renderSigned renders a real outbound message of a Mailer that signs
// with keys and returns its parsed header.
func renderSigned(t *testing.T, keys ...identity.Key) (*mailer.Envelope, *inbound.Message) {
	t.Helper()
	m, err := mailer.NewRenderer(mailer.Config{
		Identity: mailer.Identity{
			From:     "Fleet desk <fleet@example.com>",
			Keys:     keys,
			NewToken: func() string { return "k3x9" },
		},
		Render: mailer.RenderConfig{Templates: fstest.MapFS{"invoice.md": {Data: []byte("---\nsubject: Invoice {{n}}\n---\nPlease pay invoice {{n}}.\n")}}},
		Logger: slog.New(slog.DiscardHandler),
		Now:    func() time.Time { return time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	env, err := m.Render(context.Background(), &mailer.Message{
		Template: "invoice", To: []string{"jean@garage.example"}, Resource: signedRID,
		Data: map[string]any{"n": "2026-0042"},
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

// TestTrace_signedOutbound covers the Token rows of FAULTS.md on replies
// to a real signed outbound message: what clients and gateways do to the
// identifiers still verifies; tampering never resolves a resource.
func TestTrace_signedOutbound(t *testing.T) {
	_, out := renderSigned(t, signedOld)
	replyTo := out.Header.Get("Reply-To")
	msgID := out.Header.Get("Message-Id")
	refs := out.Header.Get("References")
	subject := out.Subject()
	if !strings.Contains(replyTo, "."+signedOld.ID) {
		t.Fatalf("Reply-To %q carries no signature of key %q", replyTo, signedOld.ID)
	}
	local, _, _ := strings.Cut(replyTo, "@")
	sig := local[strings.LastIndexByte(local, '.')+1:] // key id and MAC
	// flip changes the last MAC character.
	flip := func(s string) string {
		last := sig[len(sig)-1]
		repl := byte('a')
		if last == 'a' {
			repl = 'b'
		}
		return strings.Replace(s, sig, sig[:len(sig)-1]+string(repl), 1)
	}
	otherKeyID := func(s string) string { return strings.Replace(s, "."+sig, ".z"+sig[1:], 1) }

	signer := identity.App{Name: "fleet", Domain: "example.com", Keys: []identity.Key{signedOld}}
	rotated := identity.App{Name: "fleet", Domain: "example.com", Keys: []identity.Key{signedNew, signedOld}}
	retired := identity.App{Name: "fleet", Domain: "example.com", Keys: []identity.Key{signedNew}}

	tests := []struct {
		name   string
		app    identity.App
		header string
		source string // "" when an error is wanted
		exact  bool
		err    error
	}{
		{"reply keeps everything", signer, "To: " + replyTo + "\nIn-Reply-To: " + msgID + "\nReferences: " + refs + " " + msgID + "\nSubject: Re: " + subject, "address", true, nil},
		{"gateway upper-cased the address", signer, "To: " + strings.ToUpper(replyTo) + "\nSubject: RE: " + subject, "address", true, nil},
		{"address lost, token in In-Reply-To", signer, "To: fleet@example.com\nIn-Reply-To: " + strings.ToUpper(msgID), "in-reply-to", true, nil},
		{"address lost, token only in References", signer, "To: fleet@example.com\nIn-Reply-To: <ses-1@email.amazonses.com>\nReferences: " + refs + " <ses-1@email.amazonses.com>", "references", true, nil},
		{"rotated: old key still verifies", rotated, "To: " + replyTo, "address", true, nil},
		{"subject tag alone is a hint", signer, "To: fleet@example.com\nSubject: AW: " + subject, "subject", false, nil},
		{"tampered MAC", signer, "To: " + flip(replyTo) + "\nSubject: Re: " + subject, "", false, identity.ErrBadToken},
		{"tampered MAC in References", signer, "To: fleet@example.com\nReferences: " + flip(refs), "", false, identity.ErrBadToken},
		{"wrong key id", signer, "To: " + otherKeyID(replyTo), "", false, identity.ErrBadToken},
		{"retired key", retired, "To: " + replyTo, "", false, identity.ErrBadToken},
		{"signature moved to another resource", signer, "To: " + strings.Replace(replyTo, signedRID, "INV-2026-0043", 1), "", false, identity.ErrBadToken},
		{"signature stripped", signer, "To: " + strings.Replace(replyTo, "."+sig, "", 1), "", false, identity.ErrBadToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "From: Jean <jean@garage.example>\n" + tt.header + "\nContent-Type: text/plain\n\nDone.\n"
			m, err := inbound.Parse(strings.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			res, err := inbound.Trace(m, tt.app)
			if tt.err != nil {
				var te *identity.TokenError
				if !errors.Is(err, tt.err) || !errors.As(err, &te) {
					t.Fatalf("Trace() = %+v, %v, want *TokenError wrapping %v", res, err, tt.err)
				}
				if res != nil && res.Resource != "" {
					t.Fatalf("Trace() resolved %q from a bad token", res.Resource)
				}
				return
			}
			if err != nil {
				t.Fatalf("Trace() error = %v", err)
			}
			// A readable id goes whole into the subject tag, so even the
			// inexact subject match names the resource, not a prefix.
			want := signedRID
			if res.Resource != want || res.Source.String() != tt.source || res.Exact != tt.exact {
				t.Errorf("Trace() = %s %s exact=%v, want %s %s exact=%v", res.Resource, res.Source, res.Exact, want, tt.source, tt.exact)
			}
		})
	}
}

// TestTrace_signedBounce: a bounce of a signed message traces, exactly,
// through the signed identifiers of the original it returns.
func TestTrace_signedBounce(t *testing.T) {
	env, _ := renderSigned(t, signedOld)
	raw := "From: MAILER-DAEMON@mx.garage.example\nTo: fleet@example.com\nSubject: Undelivered Mail\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"DSN\"\n\n" +
		"--DSN\nContent-Type: text/plain\n\nUser unknown\n" +
		"--DSN\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.garage.example\n\nFinal-Recipient: rfc822; jean@garage.example\nAction: failed\nStatus: 5.1.1\n" +
		"--DSN\nContent-Type: message/rfc822\n\n" + string(env.Data) + "\n--DSN--\n"
	m, err := inbound.Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	app := identity.App{Name: "fleet", Domain: "example.com", Keys: []identity.Key{signedOld}}
	res, err := inbound.Trace(m, app)
	if err != nil || res.Resource != signedRID || !res.Exact || res.Kind != inbound.Bounce || res.KeyID != signedOld.ID {
		t.Fatalf("Trace(bounce) = %+v, %v, want %s exact bounce verified by key %s", res, err, signedRID, signedOld.ID)
	}
}
