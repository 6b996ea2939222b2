package main

import (
	"fmt"
	"os"
	"strings"

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
