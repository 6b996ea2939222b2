package inbound_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/internal/testcert"
	"github.com/mailtrail/mailtrail/mailer"
)

// authKeys are our certificate and DKIM key, and a partner's certificate.
var authKeys = sync.OnceValue(func() (k struct {
	ourCert, ourKey, partnerCert, partnerKey, dkimKey []byte
	dkimRecord                                        string
}) {
	var err error
	if k.ourCert, k.ourKey, err = testcert.SMIME("fleet@example.com"); err != nil {
		panic(err)
	}
	if k.partnerCert, k.partnerKey, err = testcert.SMIME("partner@example.net"); err != nil {
		panic(err)
	}
	dk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	k.dkimKey = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(dk)})
	pub, _ := x509.MarshalPKIXPublicKey(&dk.PublicKey)
	k.dkimRecord = "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)
	return k
})

// authOptions trusts certPEM and serves the DKIM key of example.com.
func authOptions(t *testing.T, certPEM []byte) *inbound.AuthOptions {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(certPEM) {
		t.Fatal("no certificate")
	}
	rec := authKeys().dkimRecord
	return &inbound.AuthOptions{
		Trust: pool,
		LookupTXT: func(_ context.Context, name string) ([]string, error) {
			if name == "mt2026._domainkey.example.com" {
				return []string{rec}, nil
			}
			return nil, errors.New("no such name: " + name)
		},
	}
}

// signedByUs renders a message signed with S/MIME and DKIM by the mailer.
func signedByUs(t testing.TB, smime, dkim bool) []byte {
	t.Helper()
	k := authKeys()
	cfg := mailer.Config{
		Identity: mailer.Identity{From: "Fleet desk <fleet@example.com>"},
		Render:   mailer.RenderConfig{Templates: fstest.MapFS{"t.md": {Data: []byte("---\nsubject: Contrôle {{plate}}\n---\nHello **{{plate}}**\n")}}},
	}
	if smime {
		cfg.Signing.SMIMECert, cfg.Signing.SMIMEKey = k.ourCert, k.ourKey
	}
	if dkim {
		cfg.Signing.DKIMKey, cfg.Signing.DKIMSelector = k.dkimKey, "mt2026"
	}
	m, err := mailer.NewRenderer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	env, err := m.Render(context.Background(), &mailer.Message{
		Template: "t", To: []string{"Émilie <partner@example.net>"}, Resource: "r1",
		Data:        map[string]any{"plate": "AB-123"},
		Attachments: []mailer.Attachment{{Filename: "relevé.csv", Data: []byte("a;b\n")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return env.Data
}

func flip(b []byte, marker string) []byte {
	out := bytes.Clone(b)
	i := bytes.Index(out, []byte(marker))
	out[i] ^= 0x01
	return out
}

func TestVerifyAuth_ours(t *testing.T) {
	k := authKeys()
	ctx := context.Background()
	both := signedByUs(t, true, true)
	tests := []struct {
		name        string
		raw         []byte
		trust       []byte
		smime, dkim string
		signer      string
	}{
		{"signed both", both, k.ourCert, "pass", "pass", "fleet@example.com"},
		{"one changed byte", flip(both, "Hello"), k.ourCert, "fail", "fail", ""},
		{"changed subject", flip(both, "Subject: "), k.ourCert, "pass", "fail", "fleet@example.com"},
		{"untrusted signer", both, k.partnerCert, "fail", "pass", "example.com"},
		{"dkim only", signedByUs(t, false, true), k.ourCert, "none", "pass", "example.com"},
		{"s/mime only", signedByUs(t, true, false), k.ourCert, "pass", "none", "fleet@example.com"},
		{"unsigned", signedByUs(t, false, false), k.ourCert, "none", "none", ""},
		{"LF line ends", bytes.ReplaceAll(both, []byte("\r\n"), []byte("\n")), k.ourCert, "pass", "pass", "fleet@example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := inbound.VerifyAuth(ctx, tc.raw, authOptions(t, tc.trust))
			if a.SMIME != tc.smime || a.DKIM != tc.dkim || a.Signer != tc.signer {
				t.Errorf("VerifyAuth() = %+v, want smime %s, dkim %s, signer %q", a, tc.smime, tc.dkim, tc.signer)
			}
		})
	}
}

// TestVerifyAuth_openssl: replies signed by a partner with openssl smime
// -sign (detached and opaque) pass; one changed byte fails; the unsigned
// reply is none.
func TestVerifyAuth_openssl(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed (apt-get install openssl); CI installs it")
	}
	k := authKeys()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cert, key := write("partner.pem", k.partnerCert), write("partner.key", k.partnerKey)
	body := write("body.txt", []byte("Content-Type: text/plain; charset=utf-8\r\n\r\nThe vehicle AB-123 is checked.\r\nAll good.\r\n"))
	unsigned := "From: Partner <partner@example.net>\r\nTo: fleet+r1@example.com\r\nSubject: Re: [r1] Vehicle check\r\n"
	ctx := context.Background()
	for _, mode := range []string{"detached", "opaque"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"smime", "-sign", "-in", body, "-signer", cert, "-inkey", key,
				"-from", "Partner <partner@example.net>", "-to", "fleet+r1@example.com", "-subject", "Re: [r1] Vehicle check"}
			if mode == "opaque" {
				args = append(args, "-nodetach")
			}
			out, err := exec.Command(openssl, args...).Output()
			if err != nil {
				t.Fatalf("openssl smime -sign: %v", err)
			}
			opts := authOptions(t, k.partnerCert)
			if a := inbound.VerifyAuth(ctx, out, opts); a.SMIME != "pass" || a.Signer != "partner@example.net" || a.DKIM != "none" {
				t.Fatalf("VerifyAuth(signed by openssl) = %+v, want smime pass by partner@example.net\n%s", a, out)
			}
			// One changed byte: in the text (detached), in the middle of the
			// base64 signed-data (opaque).
			bad := bytes.Clone(out)
			i := bytes.Index(out, []byte("checked"))
			if mode == "opaque" {
				b := bytes.Index(out, []byte("\n\n")) + 2
				i = b + (len(out)-b)/2
				if bad[i] == 'A' {
					bad[i] = 'B'
				} else {
					bad[i] = 'A'
				}
			} else {
				bad[i] ^= 0x01
			}
			if a := inbound.VerifyAuth(ctx, bad, opts); a.SMIME != "fail" {
				t.Errorf("VerifyAuth(one changed byte) = %+v, want smime fail", a)
			}
			// Someone else's certificate in the trust store: fail.
			if a := inbound.VerifyAuth(ctx, out, authOptions(t, k.ourCert)); a.SMIME != "fail" {
				t.Errorf("VerifyAuth(untrusted partner) = %+v, want smime fail", a)
			}
		})
	}
	if a := inbound.VerifyAuth(ctx, []byte(unsigned+"\r\nAll good.\r\n"), authOptions(t, k.partnerCert)); a.SMIME != "none" || a.DKIM != "none" || a.Signer != "" {
		t.Errorf("VerifyAuth(unsigned) = %+v, want none", a)
	}
}

// FuzzVerifyAuth: any bytes give a verdict in {pass, fail, none} for each
// signature, without a panic, and asking no DNS server.
func FuzzVerifyAuth(f *testing.F) {
	f.Add(signedByUs(f, true, true))
	f.Add([]byte("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAG\r\n--b--\r\n"))
	f.Add([]byte("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; bh=; b=\r\nFrom: a@example.com\r\n\r\nx\r\n"))
	f.Add([]byte("Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n"))
	k := authKeys()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(k.ourCert)
	opts := &inbound.AuthOptions{Trust: pool, LookupTXT: func(context.Context, string) ([]string, error) {
		return []string{k.dkimRecord}, nil
	}}
	verdicts := map[string]bool{"pass": true, "fail": true, "none": true}
	f.Fuzz(func(t *testing.T, raw []byte) {
		a := inbound.VerifyAuth(context.Background(), raw, opts)
		if !verdicts[a.SMIME] || !verdicts[a.DKIM] {
			t.Fatalf("VerifyAuth() = %+v: a verdict outside pass, fail, none", a)
		}
		if a.Signer != "" && !a.Pass() {
			t.Fatalf("VerifyAuth() = %+v: a signer without a passing signature", a)
		}
	})
}
