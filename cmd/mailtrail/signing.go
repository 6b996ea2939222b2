package main

import (
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/mailer"
)

// The variables that turn signing on. Each names a file (the keys never
// sit in a flag's value or in the environment itself); the selector and
// domain are plain values.
const (
	smimeCertEnv    = "MAILTRAIL_SMIME_CERT"    // PEM certificate (chain) of the signer
	smimeKeyEnv     = "MAILTRAIL_SMIME_KEY"     // PEM private key of that certificate
	dkimKeyEnv      = "MAILTRAIL_DKIM_KEY"      // PEM private key for DKIM
	dkimSelectorEnv = "MAILTRAIL_DKIM_SELECTOR" // DKIM selector (s=)
	dkimDomainEnv   = "MAILTRAIL_DKIM_DOMAIN"   // DKIM domain (d=); unset: the From domain
)

// readSigning reads the signing variables into a mailer.Signing; all unset
// means no signing. A named file that cannot be read is an error naming
// the variable and the file.
func readSigning(e *env) (mailer.Signing, error) {
	var s mailer.Signing
	read := func(name string) ([]byte, error) {
		path := strings.TrimSpace(e.getenv(name))
		if path == "" {
			return nil, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return b, nil
	}
	var err error
	if s.SMIMECert, err = read(smimeCertEnv); err != nil {
		return s, err
	}
	if s.SMIMEKey, err = read(smimeKeyEnv); err != nil {
		return s, err
	}
	if s.DKIMKey, err = read(dkimKeyEnv); err != nil {
		return s, err
	}
	s.DKIMSelector = strings.TrimSpace(e.getenv(dkimSelectorEnv))
	s.DKIMDomain = strings.TrimSpace(e.getenv(dkimDomainEnv))
	if (s.SMIMECert == nil) != (s.SMIMEKey == nil) {
		return s, fmt.Errorf("S/MIME signing needs both %s and %s", smimeCertEnv, smimeKeyEnv)
	}
	if (s.DKIMKey == nil) != (s.DKIMSelector == "") {
		return s, fmt.Errorf("DKIM signing needs both %s and %s", dkimKeyEnv, dkimSelectorEnv)
	}
	return s, nil
}

// smimeTrustUsage is the help of --smime-trust, shared by the commands that
// verify signatures.
const smimeTrustUsage = "PEM bundle of the partners' certificates or CAs that S/MIME signatures must chain to (default: the system's roots)"

// authOptions returns the options of inbound.VerifyAuth for a
// --smime-trust FILE ("" for the system's roots).
func authOptions(trustFile string) (*inbound.AuthOptions, error) {
	opts := &inbound.AuthOptions{}
	if trustFile == "" {
		return opts, nil
	}
	b, err := os.ReadFile(trustFile)
	if err != nil {
		return nil, usagef("--smime-trust: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, usagef("--smime-trust %s: no PEM certificate in the file", trustFile)
	}
	opts.Trust = pool
	return opts, nil
}

// authReason is ": " and the reason a signature failed, or "".
func authReason(a inbound.Auth) string {
	if a.Reason == "" {
		return ""
	}
	return ": " + a.Reason
}
