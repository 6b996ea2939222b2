package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound/imaptest"
	"github.com/mailtrail/mailtrail/internal/testcert"
)

// signingFiles writes an S/MIME certificate and key for fleet@example.com,
// a DKIM key and its public key (DER) into a folder; it returns the
// variables that turn signing on and the paths.
func signingFiles(t *testing.T) (vars map[string]string, cert, dkimPub string) {
	t.Helper()
	dir := t.TempDir()
	certPEM, keyPEM, err := testcert.SMIME("fleet@example.com")
	if err != nil {
		t.Fatal(err)
	}
	dk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&dk.PublicKey)
	files := map[string][]byte{
		"smime.pem": certPEM, "smime.key": keyPEM, "dkim.pub": pub,
		"dkim.key": pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(dk)}),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]string{
		smimeCertEnv: filepath.Join(dir, "smime.pem"), smimeKeyEnv: filepath.Join(dir, "smime.key"),
		dkimKeyEnv: filepath.Join(dir, "dkim.key"), dkimSelectorEnv: "mt2026",
	}, filepath.Join(dir, "smime.pem"), filepath.Join(dir, "dkim.pub")
}

// TestRender_signed renders signed messages from the CLI (plain, French
// with non-ASCII subject and an attachment) and hands them to openssl
// smime -verify, Python's email (the returned content and the whole
// message) and dkimpy; then inspect reads the S/MIME signature back.
func TestRender_signed(t *testing.T) {
	tmpl, data := renderFixture(t)
	vars, cert, pub := signingFiles(t)
	dir := t.TempDir()
	att := filepath.Join(dir, "relevé de contrôle.csv")
	os.WriteFile(att, []byte("plate;km\nAB-123-CD;42000\n"), 0o600)
	var files []string
	for i, extra := range [][]string{nil, {"--locale", "fr", "--attach", att, "--to", "Émilie Dupont <emilie@example.net>"}} {
		out := filepath.Join(dir, []string{"plain.eml", "fr.eml"}[i])
		e, _, stderr := renderTestEnv(vars)
		args := append([]string{"render", "--template", tmpl, "--data", data, "--from", "Fleet desk <fleet@example.com>",
			"--to", "partner@example.net", "--resource", "WO-42", "-o", out}, extra...)
		if code := run(context.Background(), e, args); code != 0 {
			t.Fatalf("render exit %d: %s", code, stderr)
		}
		raw, _ := os.ReadFile(out)
		msg := renderParse(t, raw)
		if !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/signed;") || msg.Header.Get("DKIM-Signature") == "" {
			t.Fatalf("not signed: Content-Type %q, DKIM-Signature %q", msg.Header.Get("Content-Type"), msg.Header.Get("DKIM-Signature"))
		}
		files = append(files, out)
	}

	if openssl, err := exec.LookPath("openssl"); err != nil {
		t.Log("openssl not installed: skipping its checks (CI installs it)")
	} else {
		for _, f := range files {
			content := f + ".content"
			if out, err := exec.Command(openssl, "smime", "-verify", "-in", f, "-CAfile", cert, "-out", content).CombinedOutput(); err != nil {
				t.Fatalf("openssl smime -verify %s: %v\n%s", filepath.Base(f), err, out)
			}
			if py, err := exec.LookPath("python3"); err == nil {
				if out, err := exec.Command(py, "../../.ci/check_python_email.py", "--content", content).CombinedOutput(); err != nil {
					t.Fatalf("check_python_email.py --content: %v\n%s", err, out)
				}
				if out, err := exec.Command(py, "../../.ci/check_python_email.py", f).CombinedOutput(); err != nil {
					t.Fatalf("check_python_email.py: %v\n%s", err, out)
				}
			}
		}
	}
	if py := pythonWith("dkim"); py == "" {
		t.Log("dkimpy not installed: skipping its check (CI installs python3-dkim)")
	} else if out, err := exec.Command(py, append([]string{"../../.ci/check_dkim.py", "--selector", "mt2026", "--domain", "example.com", "--key", pub}, files...)...).CombinedOutput(); err != nil {
		t.Fatalf("check_dkim.py: %v\n%s", err, out)
	}

	// inspect reads the S/MIME signature back; DKIM needs DNS, which the
	// test does not have, so it looks at a copy without the DKIM field.
	raw, _ := os.ReadFile(files[1])
	_, rest, _ := bytes.Cut(raw, []byte("\r\nDate: "))
	noDKIM := filepath.Join(dir, "nodkim.eml")
	os.WriteFile(noDKIM, append([]byte("Date: "), rest...), 0o600)
	for _, tc := range []struct {
		trust, smime, signer string
	}{{cert, "pass", "fleet@example.com"}, {"", "fail", ""}} {
		args := []string{"inspect", noDKIM}
		if tc.trust != "" {
			args = []string{"inspect", "--smime-trust", tc.trust, noDKIM}
		}
		code, out, errs := traceRun(t, "", args...)
		if code != 0 {
			t.Fatalf("inspect exit %d: %s", code, errs)
		}
		var got struct {
			Auth map[string]string `json:"auth"`
		}
		json.Unmarshal([]byte(out), &got)
		if got.Auth["smime"] != tc.smime || got.Auth["dkim"] != "none" || got.Auth["signer"] != tc.signer {
			t.Errorf("inspect (trust %q) auth = %v, want smime %s, dkim none, signer %q", tc.trust, got.Auth, tc.smime, tc.signer)
		}
	}
}

func TestRender_signingEnv(t *testing.T) {
	tmpl, data := renderFixture(t)
	vars, _, _ := signingFiles(t)
	tests := []struct {
		name string
		edit func(map[string]string)
		want string
	}{
		{"cert without key", func(v map[string]string) { delete(v, smimeKeyEnv) }, "needs both MAILTRAIL_SMIME_CERT and MAILTRAIL_SMIME_KEY"},
		{"missing key file", func(v map[string]string) { v[smimeKeyEnv] = "/nonexistent/key.pem" }, "MAILTRAIL_SMIME_KEY: open /nonexistent/key.pem"},
		{"dkim without selector", func(v map[string]string) { delete(v, dkimSelectorEnv) }, "needs both MAILTRAIL_DKIM_KEY and MAILTRAIL_DKIM_SELECTOR"},
		{"certificate of another key", func(v map[string]string) { v[smimeKeyEnv] = v[dkimKeyEnv] }, "not the key of the first certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := map[string]string{}
			for k, x := range vars {
				v[k] = x
			}
			tc.edit(v)
			e, stdout, stderr := renderTestEnv(v)
			code := run(context.Background(), e, []string{"render", "--template", tmpl, "--data", data,
				"--from", "fleet@example.com", "--to", "p@example.net", "--resource", "r1"})
			if code == 0 || stdout.Len() != 0 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("render exit %d, stdout %d bytes, stderr %q; want an error containing %q", code, stdout.Len(), stderr, tc.want)
			}
		})
	}
}

// TestTrace_requireAuth: a reply found by its subject tag alone passes
// --require-auth only when a partner's S/MIME signature (made by openssl)
// verifies against --smime-trust.
func TestTrace_requireAuth(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed (apt-get install openssl); CI installs it")
	}
	dir := t.TempDir()
	certPEM, keyPEM, err := testcert.SMIME("partner@example.net")
	if err != nil {
		t.Fatal(err)
	}
	cert, key, body := filepath.Join(dir, "p.pem"), filepath.Join(dir, "p.key"), filepath.Join(dir, "body.txt")
	os.WriteFile(cert, certPEM, 0o600)
	os.WriteFile(key, keyPEM, 0o600)
	os.WriteFile(body, []byte("Content-Type: text/plain\r\n\r\nDone, vehicle checked.\r\n"), 0o600)
	signed, err := exec.Command(openssl, "smime", "-sign", "-in", body, "-signer", cert, "-inkey", key,
		"-from", "partner@example.net", "-to", "fleet@example.com", "-subject", "Re: [WO-42] Vehicle check").Output()
	if err != nil {
		t.Fatalf("openssl smime -sign: %v", err)
	}
	unsigned := "From: partner@example.net\r\nTo: fleet@example.com\r\nSubject: Re: [WO-42] Vehicle check\r\n\r\nDone, vehicle checked.\r\n"
	tampered := bytes.Replace(signed, []byte("checked"), []byte("chucked"), 1)
	tests := []struct {
		name, msg string
		args      []string
		code      int
	}{
		{"signed", string(signed), []string{"--require-auth", "--smime-trust", cert}, 0},
		{"unsigned", unsigned, []string{"--require-auth", "--smime-trust", cert}, 1},
		{"one changed byte", string(tampered), []string{"--require-auth", "--smime-trust", cert}, 1},
		{"unsigned without --require-auth", unsigned, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"trace", "--from", "fleet@example.com"}, tc.args...)
			code, out, errs := traceRun(t, tc.msg, append(args, "-")...)
			if code != tc.code {
				t.Fatalf("trace exit %d (out %q, err %q), want %d", code, out, errs, tc.code)
			}
			if code == 0 && strings.TrimSpace(out) != "WO-42" {
				t.Errorf("trace printed %q, want WO-42", out)
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

// TestSink_signed: the sink's line says a signed message is signed and
// whether it verifies against --smime-trust; an unsigned one says nothing.
func TestSink_signed(t *testing.T) {
	tpl, data := sinkTemplate(t)
	os.WriteFile(data, []byte(`{"n": 1, "plate": "AB-001-CD"}`), 0o644)
	vars, cert, _ := signingFiles(t)
	delete(vars, dkimKeyEnv) // DKIM would need DNS
	delete(vars, dkimSelectorEnv)
	for _, tc := range []struct {
		name  string
		vars  map[string]string
		trust string
		want  string
	}{
		{"trusted", vars, cert, " signed s/mime pass dkim none by fleet@example.com"},
		{"untrusted", vars, "", " signed s/mime fail dkim none ("},
		{"unsigned", nil, cert, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			smtpAddr, _, stdout := sinkStart(t, sinkOptions{Listen: "127.0.0.1:0", Dir: t.TempDir(), Trust: tc.trust})
			e, _, stderr := renderTestEnv(tc.vars)
			args := []string{"send", "--template", tpl, "--data", data, "--from", "fleet@example.com",
				"--to", "p@example.test", "--resource", "r1", "--smtp", "smtp+insecure://" + smtpAddr}
			if code := run(context.Background(), e, args); code != 0 {
				t.Fatalf("send exit %d: %s", code, stderr)
			}
			got := stdout.String()
			if tc.want == "" && strings.Contains(got, " signed ") || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("sink printed %q, want %q", got, tc.want)
			}
		})
	}
}

// TestInbox_execAuth: the JSON an --exec command reads carries "auth": a
// reply signed by the partner with openssl passes against --smime-trust,
// an unsigned one is none.
func TestInbox_execAuth(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed (apt-get install openssl); CI installs it")
	}
	dir := t.TempDir()
	certPEM, keyPEM, err := testcert.SMIME("partner@example.test")
	if err != nil {
		t.Fatal(err)
	}
	cert, key, body := filepath.Join(dir, "p.pem"), filepath.Join(dir, "p.key"), filepath.Join(dir, "body.txt")
	os.WriteFile(cert, certPEM, 0o600)
	os.WriteFile(key, keyPEM, 0o600)
	os.WriteFile(body, []byte("Content-Type: text/plain\r\n\r\nfine\r\n"), 0o600)
	to, _ := identity.App{Name: "app", Domain: "example.test"}.ReplyTo(inboxResource)
	signed, err := exec.Command(openssl, "smime", "-sign", "-in", body, "-signer", cert, "-inkey", key,
		"-from", "Partner <partner@example.test>", "-to", to, "-subject", "Re: check 1").Output()
	if err != nil {
		t.Fatalf("openssl smime -sign: %v", err)
	}
	srv := imaptest.NewServer(t, &imaptest.Options{NoMove: true})
	srv.Deliver("", signed)
	srv.Deliver("", inboxMsg(t, 2, true))
	script := fmt.Sprintf(`cat > %s/msg-$MAILTRAIL_UID.json`, dir)
	var out syncBuffer
	code, stderr := inboxRun(context.Background(), []string{"inbox", "--imap", srv.URL(), "--from", "app@example.test",
		"--exec", script, "--smime-trust", cert, "--move", "copy"}, nil, &out)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for uid, want := range map[int]map[string]string{
		1: {"smime": "pass", "dkim": "none", "signer": "partner@example.test"},
		2: {"smime": "none", "dkim": "none", "signer": ""},
	} {
		raw, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("msg-%d.json", uid)))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Auth map[string]string `json:"auth"`
		}
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got.Auth) != fmt.Sprint(want) {
			t.Errorf("message %d: auth = %v, want %v", uid, got.Auth, want)
		}
	}
}
