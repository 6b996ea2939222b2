package mailer

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mailtrail/mailtrail/internal/testcert"
)

// testKeys are an S/MIME certificate for fleet@example.com and a DKIM key,
// made once per test binary.
var testKeys = sync.OnceValue(func() (k struct{ certPEM, keyPEM, dkimPEM, dkimPubDER []byte }) {
	var err error
	if k.certPEM, k.keyPEM, err = testcert.SMIME("fleet@example.com"); err != nil {
		panic(err)
	}
	dk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	p8, _ := x509.MarshalPKCS8PrivateKey(dk)
	k.dkimPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8})
	k.dkimPubDER, _ = x509.MarshalPKIXPublicKey(&dk.PublicKey)
	return k
})

// signingConfig turns on both signatures.
func signingConfig(c *Config) {
	k := testKeys()
	c.Signing = Signing{SMIMECert: k.certPEM, SMIMEKey: k.keyPEM, DKIMKey: k.dkimPEM, DKIMSelector: "mt2026"}
}

// signedGolden renders every golden case signed, into dir, with the JSON
// beside each message for the conformance check; it returns the files.
func signedGolden(t *testing.T, dir string, edit func(*Config)) []string {
	t.Helper()
	var files []string
	for _, tc := range goldenCases() {
		m := newTestMailer(t, func(c *Config) {
			if tc.edit != nil {
				tc.edit(c)
			}
			edit(c)
		})
		env, err := assembleParts(t, m, &tc.msg, tc.parts)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		f := filepath.Join(dir, tc.name+".eml")
		if err := os.WriteFile(f, env.Data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(strings.TrimSuffix(f, ".eml")+".json", tc.parts.JSON, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// TestSign_structure: the signed message keeps the unsigned message's
// header fields (identity headers outside, unchanged), and its first part
// is exactly the unsigned body's entity.
func TestSign_structure(t *testing.T) {
	for i, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			plain := newTestMailer(t, tc.edit)
			want, err := assembleParts(t, plain, &tc.msg, tc.parts)
			if err != nil {
				t.Fatal(err)
			}
			m := newTestMailer(t, func(c *Config) {
				if tc.edit != nil {
					tc.edit(c)
				}
				k := testKeys()
				c.Signing = Signing{SMIMECert: k.certPEM, SMIMEKey: k.keyPEM}
			})
			again := goldenCases()[i] // an attachment's Reader is read once
			got, err := assembleParts(t, m, &again.msg, again.parts)
			if err != nil {
				t.Fatal(err)
			}
			wantHead, wantBody, _ := bytes.Cut(want.Data, []byte("\r\n\r\n"))
			gotHead, gotBody, _ := bytes.Cut(got.Data, []byte("\r\n\r\n"))
			ct := bytes.LastIndex(wantHead, []byte("Content-Type: "))
			if !bytes.Equal(gotHead[:ct], wantHead[:ct]) {
				t.Errorf("signed header differs before Content-Type:\n%s\nwant\n%s", gotHead[:ct], wantHead[:ct])
			}
			if !bytes.HasPrefix(gotHead[ct:], []byte(`Content-Type: multipart/signed; protocol="application/pkcs7-signature";`)) {
				t.Errorf("signed Content-Type = %q", gotHead[ct:])
			}
			entity := append(append(append([]byte(nil), wantHead[ct:]...), "\r\n\r\n"...), wantBody...)
			if !bytes.Contains(gotBody, entity) {
				t.Errorf("the signed body does not hold the unsigned entity:\n%s\nwant\n%s", gotBody[:300], entity[:300])
			}
		})
	}
}

func TestSign_config(t *testing.T) {
	k := testKeys()
	other := testKeysOther(t)
	tests := []struct {
		name string
		s    Signing
		want string
	}{
		{"cert without key", Signing{SMIMECert: k.certPEM}, "both SMIMECert and SMIMEKey"},
		{"key of another cert", Signing{SMIMECert: k.certPEM, SMIMEKey: other}, "not the key"},
		{"not PEM", Signing{SMIMECert: []byte("hello"), SMIMEKey: k.keyPEM}, "no PEM CERTIFICATE"},
		{"dkim without selector", Signing{DKIMKey: k.dkimPEM}, "both DKIMKey and DKIMSelector"},
		{"dkim bad selector", Signing{DKIMKey: k.dkimPEM, DKIMSelector: "a b"}, "DKIMSelector"},
		{"dkim bad domain", Signing{DKIMKey: k.dkimPEM, DKIMSelector: "s", DKIMDomain: "-x"}, "DKIMDomain"},
		{"dkim key not PEM", Signing{DKIMKey: []byte("x"), DKIMSelector: "s"}, "no PEM private key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.Signing = tc.s
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// pythonWith returns a python3 that imports module: the first on PATH, or
// Debian's, where apt-get puts python3-dkim; "" when neither does.
func pythonWith(module string) string {
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		if py, err := exec.LookPath(name); err == nil && exec.Command(py, "-c", "import "+module).Run() == nil {
			return py
		}
	}
	return ""
}

func testKeysOther(t *testing.T) []byte {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
}

// TestSign_openssl: Debian's openssl accepts every signed golden message,
// the content it returns parses in Python's email with the alternatives
// intact, the signed message passes the conformance checks, and one
// changed byte is refused.
func TestSign_openssl(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed (apt-get install openssl); CI installs it")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed; CI installs it")
	}
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, testKeys().certPEM, 0o600)
	files := signedGolden(t, dir, signingConfig)
	if out, err := exec.Command(py, append([]string{"../.ci/check_python_email.py"}, files...)...).CombinedOutput(); err != nil {
		t.Fatalf("check_python_email.py on signed messages: %v\n%s", err, out)
	}
	for _, f := range files {
		content := strings.TrimSuffix(f, ".eml") + ".content"
		out, err := exec.Command(openssl, "smime", "-verify", "-in", f, "-CAfile", ca, "-out", content).CombinedOutput()
		if err != nil {
			t.Fatalf("openssl smime -verify %s: %v\n%s", filepath.Base(f), err, out)
		}
		args := []string{"../.ci/check_python_email.py", "--content", content}
		if strings.Contains(f, "json-attachment") {
			args = append(args, "--json-attachment")
		}
		if out, err := exec.Command(py, args...).CombinedOutput(); err != nil {
			t.Fatalf("check_python_email.py --content %s: %v\n%s", filepath.Base(content), err, out)
		}
		data, _ := os.ReadFile(f)
		i := bytes.Index(data, []byte("Please check vehicle"))
		if i < 0 {
			i = bytes.Index(data, []byte("Qm9uam91ci")) // the base64 text of the unicode cases
		}
		if i < 0 {
			i = bytes.Index(data, []byte("short"))
		}
		if i < 0 {
			t.Fatalf("%s: no byte to change", f)
		}
		data[i] ^= 0x01
		bad := strings.TrimSuffix(f, ".eml") + ".bad"
		os.WriteFile(bad, data, 0o600)
		if out, err := exec.Command(openssl, "smime", "-verify", "-in", bad, "-CAfile", ca, "-out", os.DevNull).CombinedOutput(); err == nil {
			t.Errorf("openssl smime -verify accepted %s with one changed byte:\n%s", filepath.Base(bad), out)
		}
	}
}

// TestSign_dkimpy: Debian's dkimpy verifies the DKIM signature of every
// signed golden message (attachments, long folded subjects, non-ASCII
// names), with the public key given through its DNS hook, and refuses a
// changed byte.
func TestSign_dkimpy(t *testing.T) {
	py := pythonWith("dkim")
	if py == "" {
		t.Skip("dkimpy not installed (apt-get install python3-dkim); CI installs it")
	}
	dir := t.TempDir()
	pub := filepath.Join(dir, "dkim.pub")
	os.WriteFile(pub, testKeys().dkimPubDER, 0o600)
	for _, only := range []string{"dkim", "both"} {
		files := signedGolden(t, filepath.Join(dir), func(c *Config) {
			signingConfig(c)
			if only == "dkim" {
				c.Signing.SMIMECert, c.Signing.SMIMEKey = nil, nil
			}
		})
		out, err := exec.Command(py, append([]string{"../.ci/check_dkim.py", "--selector", "mt2026", "--domain", "example.com", "--key", pub}, files...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("check_dkim.py (%s): %v\n%s", only, err, out)
		}
		data, _ := os.ReadFile(files[0])
		i := bytes.LastIndex(data, []byte("Kind regards"))
		data[i] = 'k'
		bad := filepath.Join(dir, "bad.eml")
		os.WriteFile(bad, data, 0o600)
		if out, err := exec.Command(py, "../.ci/check_dkim.py", "--selector", "mt2026", "--domain", "example.com", "--key", pub, bad).CombinedOutput(); err == nil {
			t.Errorf("check_dkim.py accepted a changed body:\n%s", out)
		}
	}
}

// BenchmarkSignRatio renders workload messages unsigned and signed (S/MIME
// and DKIM, RSA 2048) in alternating blocks and reports what signing
// costs: "x-unsigned" is a signed message's CPU time in unsigned messages.
func BenchmarkSignRatio(b *testing.B) {
	tpl, ropts := benchWorkload(b)
	plain := benchMailer(b, ropts)
	k := testKeys()
	signed, err := New(Config{
		Identity:  Identity{From: "Fleet desk <fleet@example.com>"},
		Render:    RenderConfig{Options: ropts},
		Signing:   Signing{SMIMECert: k.certPEM, SMIMEKey: k.keyPEM, DKIMKey: k.dkimPEM, DKIMSelector: "mt2026"},
		Transport: TransportConfig{Use: NewFileTransport(b.TempDir(), nil), Getenv: func(string) string { return "" }},
		Logger:    discardLogger(),
	})
	if err != nil {
		b.Fatal(err)
	}
	defer signed.Close()
	recs := benchRecords(b)
	ctx := context.Background()
	var clock ratioClock
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for side, m := range []*Mailer{plain, signed} {
			clock.time(side, func() {
				for i := range ratioBlock {
					r := recs[(n+i)%len(recs)]
					if _, err := m.Render(ctx, &Message{Parsed: tpl, To: []string{r.To}, Resource: r.Resource, Data: r.Data}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		n += ratioBlock
	}
	if clock.cpu[0] > 0 {
		b.ReportMetric(float64(clock.cpu[1])/float64(clock.cpu[0]), "x-unsigned")
	}
	b.ReportMetric(float64(clock.wall[1].Nanoseconds())/float64(n), "signed-ns/msg")
}
