package mailer_test

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"

	"github.com/mailtrail/mailtrail/internal/testcert"
	"github.com/mailtrail/mailtrail/mailer"
)

// With Signing, the whole body is S/MIME-signed; the identity header
// fields stay outside the signature, unchanged.
func ExampleSigning() {
	certPEM, keyPEM, _ := testcert.SMIME("fleet@example.com") // your certificate and key, PEM
	r, err := mailer.NewRenderer(mailer.Config{
		Identity: mailer.Identity{From: "Fleet desk <fleet@example.com>"},
		Render:   mailer.RenderConfig{Templates: templatesFS},
		Signing:  mailer.Signing{SMIMECert: certPEM, SMIMEKey: keyPEM},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	env, err := r.Render(context.Background(), &mailer.Message{
		Template: "vehicle-check", To: []string{"partner@example.net"}, Resource: "WO-42", Data: vehicle,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	msg, _ := mail.ReadMessage(bytes.NewReader(env.Data))
	ct := msg.Header.Get("Content-Type")
	fmt.Println(ct[:len(`multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256`)])
	fmt.Println(msg.Header.Get("Reply-To"))
	fmt.Println(msg.Header.Get("Subject"))
	// Output:
	// multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256
	// fleet+WO-42@example.com
	// [WO-42] Vehicle check AB-123-CD
}
