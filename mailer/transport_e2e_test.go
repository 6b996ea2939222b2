package mailer

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestTransport_E2E sends through a real server when MAILTRAIL_E2E_SMTP
// names one: .ci/mailservers.sh starts Postfix on
// smtp+insecure://127.0.0.1:2525, accepting mail for example.test.
func TestTransport_E2E(t *testing.T) {
	raw := os.Getenv("MAILTRAIL_E2E_SMTP")
	if raw == "" {
		t.Skip("MAILTRAIL_E2E_SMTP not set; run .ci/mailservers.sh start and set it to test against Postfix")
	}
	cfg, err := ParseSMTPURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t.Run("batch over one connection", func(t *testing.T) {
		tr := newTransport(cfg, nil)
		defer tr.close()
		for i := range 3 {
			if err := tr.send(ctx, "app@example.test", []string{"app+e2e-transport@example.test"}, []byte(testMsg)); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		}
		if n := len(tr.idle); n != 1 {
			t.Errorf("%d idle connections after the batch, want 1", n)
		}
	})
	t.Run("unknown recipient among two", func(t *testing.T) {
		tr := newTransport(cfg, nil)
		defer tr.close()
		err := tr.send(ctx, "app@example.test", []string{"app+e2e@example.test", "nobody-here@example.test"}, []byte(testMsg))
		se := asSendError(t, err)
		wantClass(t, err, ErrPermanent)
		if len(se.Rejected) != 1 || se.Rejected[0].Code != 550 || strings.Join(se.Accepted, ",") != "app+e2e@example.test" {
			t.Errorf("send() = %v, want nobody-here rejected with 550 and app+e2e accepted", err)
		}
	})
	t.Run("mandatory tls is never skipped", func(t *testing.T) {
		// Postfix offers STARTTLS with a self-signed certificate, or none:
		// either way smtp:// must fail before any mail is sent.
		strict := *cfg
		strict.Security = SecurityStartTLS
		tr := newTransport(&strict, nil)
		defer tr.close()
		err := tr.send(ctx, "app@example.test", []string{"app+e2e@example.test"}, []byte(testMsg))
		if !errors.Is(err, ErrTLS) {
			t.Errorf("send() over smtp:// = %v, want ErrTLS", err)
		}
		t.Logf("as expected: %v", err)
	})
}
