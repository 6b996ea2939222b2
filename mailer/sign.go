package mailer

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/smallstep/pkcs7"
)

// Signing says how outbound messages are signed. The zero value signs
// nothing: many relays sign DKIM themselves, and S/MIME needs a
// certificate a partner trusts.
type Signing struct {
	// SMIMECert holds the PEM certificate of the signer (the address in
	// From should be in it), optionally followed by intermediate
	// certificates, which travel with every signature. With SMIMEKey set,
	// every message is S/MIME-signed (RFC 8551): its whole body (the
	// alternative, and the attachments) becomes the first part of a
	// multipart/signed whose second part is the detached PKCS #7
	// signature; the header (Reply-To, Subject, Message-ID, References)
	// stays outside, unchanged.
	SMIMECert []byte
	// SMIMEKey holds the PEM private key of SMIMECert (PKCS #1, PKCS #8 or
	// SEC 1): RSA or ECDSA.
	SMIMEKey []byte

	// DKIMKey holds a PEM private key (RSA or Ed25519). With DKIMSelector
	// set, every message gets a DKIM-Signature (RFC 6376), relaxed/relaxed,
	// over the final bytes (after S/MIME), covering at least From, To, Cc,
	// Subject, Date, Reply-To, Message-ID, References, MIME-Version and
	// Content-Type.
	DKIMKey []byte
	// DKIMSelector is the selector under which the public key is published
	// (DKIMSelector._domainkey.DOMAIN TXT).
	DKIMSelector string
	// DKIMDomain is the signing domain (d=); "" means the domain of From.
	DKIMDomain string
}

// dkimHeaders are the fields a DKIM signature covers. Names that a message
// lacks are signed as absent, so that nobody can add them on the way.
var dkimHeaders = []string{
	"From", "To", "Cc", "Subject", "Date", "Reply-To", "Message-ID", "References",
	"MIME-Version", "Content-Type", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post",
	"Auto-Submitted",
}

// signer holds the parsed keys of a [Signing].
type signer struct {
	cert  *x509.Certificate   // S/MIME signer; nil when S/MIME is off
	chain []*x509.Certificate // intermediates sent with the signature
	key   crypto.PrivateKey
	dkim  *dkim.SignOptions // nil when DKIM is off
}

// newSigner checks s; from is the From domain, DKIM's default d=. It
// returns nil when s signs nothing.
func newSigner(s Signing, fromDomain string) (*signer, error) {
	var out signer
	var err error
	switch {
	case len(s.SMIMECert) > 0 && len(s.SMIMEKey) > 0:
		if out.cert, out.chain, out.key, err = smimeKeys(s); err != nil {
			return nil, err
		}
	case len(s.SMIMECert) > 0 || len(s.SMIMEKey) > 0:
		return nil, errors.New("Signing: S/MIME needs both SMIMECert and SMIMEKey")
	}
	switch {
	case len(s.DKIMKey) > 0 && s.DKIMSelector != "":
		if out.dkim, err = dkimOptions(s, fromDomain); err != nil {
			return nil, err
		}
	case len(s.DKIMKey) > 0 || s.DKIMSelector != "":
		return nil, errors.New("Signing: DKIM needs both DKIMKey and DKIMSelector")
	}
	if out.cert == nil && out.dkim == nil {
		return nil, nil
	}
	return &out, nil
}

// smimeKeys parses the S/MIME certificate chain and key of s, and checks
// that the key is the first certificate's.
func smimeKeys(s Signing) (*x509.Certificate, []*x509.Certificate, crypto.PrivateKey, error) {
	certs, err := parseCerts(s.SMIMECert)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("Signing.SMIMECert: %w", err)
	}
	key, err := parseKey(s.SMIMEKey)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("Signing.SMIMEKey: %w", err)
	}
	if pub, ok := key.(crypto.Signer); !ok || !publicKeyEqual(pub.Public(), certs[0].PublicKey) {
		return nil, nil, nil, errors.New("Signing.SMIMEKey is not the key of the first certificate of SMIMECert")
	}
	return certs[0], certs[1:], key, nil
}

// dkimOptions checks the DKIM key, domain and selector of s and returns
// the options every message is signed with.
func dkimOptions(s Signing, fromDomain string) (*dkim.SignOptions, error) {
	key, err := parseKey(s.DKIMKey)
	if err != nil {
		return nil, fmt.Errorf("Signing.DKIMKey: %w", err)
	}
	cs, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("Signing.DKIMKey: not a signing key")
	}
	domain := s.DKIMDomain
	if domain == "" {
		domain = fromDomain
	}
	if err := checkDomain(domain); err != nil {
		return nil, fmt.Errorf("Signing.DKIMDomain: %w", err)
	}
	if !isDotAtom(s.DKIMSelector) {
		return nil, fmt.Errorf("Signing.DKIMSelector %q is not a DNS label sequence", s.DKIMSelector)
	}
	o := &dkim.SignOptions{
		Domain:                 domain,
		Selector:               s.DKIMSelector,
		Signer:                 cs,
		Hash:                   crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             dkimHeaders,
	}
	// Fail now, not on the first message: go-msgauth refuses key types
	// it cannot use.
	if _, err := dkim.NewSigner(o); err != nil {
		return nil, fmt.Errorf("Signing.DKIMKey: %w", err)
	}
	return o, nil
}

// smime wraps the body in a multipart/signed: the body's entity (its
// Content-Type and encoded content, as planned) signed with a detached
// PKCS #7 signature (RFC 8551 §3.5). It returns the new body's
// Content-Type and bytes.
func (s *signer) smime(b *body, boundary string) (contentType string, out []byte, err error) {
	entity, err := b.entity()
	if err != nil {
		return "", nil, err
	}
	der, err := s.detachedSignature(entity)
	if err != nil {
		return "", nil, err
	}
	if err := checkSignedBoundary(b.bounds, boundary, entity); err != nil {
		return "", nil, err
	}
	if out, err = writeSigned(entity, der, boundary); err != nil {
		return "", nil, fmt.Errorf("assemble: %w", err)
	}
	// What was signed must be what is sent, byte for byte.
	if !bytes.Contains(out, entity) {
		return "", nil, errors.New("assemble: internal: the signed entity was not written as signed")
	}
	return `multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="` + boundary + `"`, out, nil
}

// detachedSignature returns the DER of a detached PKCS #7 signature
// (SHA-256) of entity.
func (s *signer) detachedSignature(entity []byte) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(entity)
	if err != nil {
		return nil, fmt.Errorf("s/mime: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSignerChain(s.cert, s.key, s.chain, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("s/mime: sign: %w", err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("s/mime: sign: %w", err)
	}
	return der, nil
}

// checkSignedBoundary checks the boundary of the multipart/signed against
// the body's own boundaries and the signed entity.
func checkSignedBoundary(inner []string, boundary string, entity []byte) error {
	for _, prev := range inner {
		if strings.HasPrefix(boundary, prev) || strings.HasPrefix(prev, boundary) {
			return fmt.Errorf("assemble: boundaries %q and %q: one is a prefix of the other", prev, boundary)
		}
	}
	if err := checkBoundaries([]string{boundary}); err != nil {
		return err
	}
	if bytes.Contains(entity, []byte("--"+boundary)) {
		return fmt.Errorf("assemble: boundary %q occurs in the message content", boundary)
	}
	return nil
}

// writeSigned writes the multipart/signed body: the entity exactly as
// signed, then the signature as smime.p7s.
func writeSigned(entity, der []byte, boundary string) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(entity) + len(der)*4/3 + 512)
	mw := multipart.NewWriter(&buf)
	_ = mw.SetBoundary(boundary)
	// The first part is the entity exactly as signed: its header block
	// and its body, written as they are.
	head, rest, _ := bytes.Cut(entity, []byte("\r\n\r\n"))
	ct, _ := strings.CutPrefix(string(head), "Content-Type: ")
	pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {ct}})
	if err != nil {
		return nil, err
	}
	if _, err := pw.Write(rest); err != nil {
		return nil, err
	}
	pw, err = mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {`application/pkcs7-signature; name="smime.p7s"`},
		"Content-Transfer-Encoding": {"base64"},
		"Content-Disposition":       {`attachment; filename="smime.p7s"`},
	})
	if err != nil {
		return nil, err
	}
	if _, err := pw.Write(appendBase64Lines(nil, string(der))); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// dkimSign returns msg with a DKIM-Signature field in front.
func (s *signer) dkimSign(msg []byte) ([]byte, error) {
	ds, err := dkim.NewSigner(s.dkim)
	if err != nil {
		return nil, fmt.Errorf("dkim: %w", err)
	}
	if _, err := ds.Write(msg); err != nil {
		ds.Close()
		return nil, fmt.Errorf("dkim: %w", err)
	}
	if err := ds.Close(); err != nil {
		return nil, fmt.Errorf("dkim: %w", err)
	}
	sig := ds.Signature()
	out := make([]byte, 0, len(sig)+len(msg))
	out = append(out, sig...)
	return append(out, msg...), nil
}

// parseCerts reads every CERTIFICATE block of a PEM bundle.
func parseCerts(b []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM CERTIFICATE block")
	}
	return out, nil
}

// parseKey reads the first private key of a PEM file: PKCS #8, PKCS #1
// (RSA) or SEC 1 (EC).
func parseKey(b []byte) (crypto.PrivateKey, error) {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, errors.New("no PEM private key block")
		}
		switch blk.Type {
		case "PRIVATE KEY":
			return x509.ParsePKCS8PrivateKey(blk.Bytes)
		case "RSA PRIVATE KEY":
			return x509.ParsePKCS1PrivateKey(blk.Bytes)
		case "EC PRIVATE KEY":
			return x509.ParseECPrivateKey(blk.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)")
		}
	}
}

// publicKeyEqual reports whether two public keys are the same.
func publicKeyEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}
