package mailtest_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/internal/testcert"
	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// TestMessage_Auth: a message the mailer signed arrives at the test server
// signed, and its signatures verify; an unsigned one says none.
func TestMessage_Auth(t *testing.T) {
	certPEM, keyPEM, err := testcert.SMIME("fleet@example.com")
	if err != nil {
		t.Fatal(err)
	}
	dk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&dk.PublicKey)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	opts := &inbound.AuthOptions{Trust: pool, LookupTXT: func(_ context.Context, name string) ([]string, error) {
		if name == "s1._domainkey.example.com" {
			return []string{"v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)}, nil
		}
		return nil, errors.New("no such name")
	}}
	for _, tc := range []struct {
		name        string
		signing     mailer.Signing
		smime, dkim string
	}{
		{"signed", mailer.Signing{SMIMECert: certPEM, SMIMEKey: keyPEM, DKIMSelector: "s1",
			DKIMKey: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(dk)})}, "pass", "pass"},
		{"unsigned", mailer.Signing{}, "none", "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.NewServer(t)
			m, err := mailer.New(mailer.Config{
				Identity:  mailer.Identity{From: "fleet@example.com"},
				Render:    mailer.RenderConfig{Templates: fstest.MapFS{"t.md": {Data: []byte("---\nsubject: Hi\n---\nHello\n")}}},
				Signing:   tc.signing,
				Transport: mailer.TransportConfig{URL: "smtp+insecure://" + srv.Addr()},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if _, err := m.Send(context.Background(), &mailer.Message{Template: "t", To: []string{"p@example.net"}, Resource: "r1"}); err != nil {
				t.Fatal(err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("server got %d messages", len(got))
			}
			if a := got[0].Auth(context.Background(), opts); a.SMIME != tc.smime || a.DKIM != tc.dkim {
				t.Errorf("Auth() = %+v, want smime %s, dkim %s", a, tc.smime, tc.dkim)
			}
		})
	}
}
