package inbound_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"testing/fstest"

	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/internal/testcert"
	"github.com/mailtrail/mailtrail/mailer"
)

// A message S/MIME-signed by the mailer verifies against a trust store
// holding its certificate; it carries no DKIM signature.
func ExampleVerifyAuth() {
	certPEM, keyPEM, _ := testcert.SMIME("fleet@example.com")
	r, _ := mailer.NewRenderer(mailer.Config{
		Identity: mailer.Identity{From: "fleet@example.com"},
		Render:   mailer.RenderConfig{Templates: fstest.MapFS{"t.md": {Data: []byte("---\nsubject: Hi\n---\nHello\n")}}},
		Signing:  mailer.Signing{SMIMECert: certPEM, SMIMEKey: keyPEM},
	})
	env, _ := r.Render(context.Background(), &mailer.Message{Template: "t", To: []string{"p@example.net"}, Resource: "r1"})

	trust := x509.NewCertPool()
	trust.AppendCertsFromPEM(certPEM)
	a := inbound.VerifyAuth(context.Background(), env.Data, &inbound.AuthOptions{Trust: trust})
	fmt.Println(a.SMIME, a.DKIM, a.Signer)
	// Output: pass none fleet@example.com
}
