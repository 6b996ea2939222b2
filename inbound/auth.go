package inbound

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/smallstep/pkcs7"
)

// The verdicts of [Auth].
const (
	AuthPass = "pass" // a signature verifies
	AuthFail = "fail" // a signature is there and does not verify
	AuthNone = "none" // no signature
)

// Auth is what a message's signatures say about its sender.
type Auth struct {
	// SMIME is "pass" when the message is S/MIME-signed (multipart/signed
	// or opaque signed-data), the signature covers the content as
	// received, the signer's certificate chains to the trust store and
	// names the From address; "fail" when it is signed otherwise; "none"
	// when it is not signed.
	SMIME string `json:"smime"`
	// DKIM is "pass" when a DKIM-Signature verifies for the From domain
	// (or a parent domain of it), "fail" when signatures are there and
	// none does, "none" when there is none.
	DKIM string `json:"dkim"`
	// Signer names who signed: the address (else the common name) of the
	// S/MIME certificate, else the DKIM domain; "" when nothing verified.
	Signer string `json:"signer"`
	// Reason says why a signature failed, for people (not in the JSON of
	// the CLI contract); "" when none did.
	Reason string `json:"-"`
}

// Pass reports whether a signature verified.
func (a Auth) Pass() bool { return a.SMIME == AuthPass || a.DKIM == AuthPass }

// AuthOptions configures [VerifyAuth]. A nil *AuthOptions trusts the
// system's roots and asks DNS.
type AuthOptions struct {
	// Trust holds the certificates (partners' own, or their CAs) that
	// S/MIME signers must chain to; nil means the system's roots.
	Trust *x509.CertPool
	// LookupTXT returns the TXT records of a DNS name, for DKIM keys; nil
	// means the system resolver. Tests give a map of their own.
	LookupTXT func(ctx context.Context, name string) ([]string, error)
	// Now is the time certificates must be valid at; nil means time.Now.
	Now func() time.Time
}

// VerifyAuth checks the S/MIME and DKIM signatures of raw, a whole message
// as received. It never fails: what cannot be checked is a "fail" with a
// Reason. ctx bounds the DNS lookups.
func VerifyAuth(ctx context.Context, raw []byte, opts *AuthOptions) Auth {
	if opts == nil {
		opts = &AuthOptions{}
	}
	a := Auth{SMIME: AuthNone, DKIM: AuthNone}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		a.Reason = "header: " + err.Error()
		return a
	}
	from := ""
	if addr, err := mail.ParseAddress(msg.Header.Get("From")); err == nil {
		from = strings.ToLower(addr.Address)
	}
	signer, err := verifySMIME(msg.Header.Get("Content-Type"), msg.Body, from, opts)
	switch {
	case errors.Is(err, errNotSigned):
	case err != nil:
		a.SMIME, a.Reason = AuthFail, "s/mime: "+err.Error()
	default:
		a.SMIME, a.Signer = AuthPass, signer
	}

	domain, err := verifyDKIM(ctx, raw, from, opts)
	switch {
	case errors.Is(err, errNotSigned):
	case err != nil:
		a.DKIM = AuthFail
		if a.Reason == "" {
			a.Reason = "dkim: " + err.Error()
		}
	default:
		a.DKIM = AuthPass
		if a.Signer == "" {
			a.Signer = domain
		}
	}
	return a
}

var errNotSigned = errors.New("not signed")

// verifySMIME checks an S/MIME signature (RFC 8551 §3.5 multipart/signed,
// §3.4.2 opaque signed-data) and returns the signer. The body is read only
// when the message is signed.
func verifySMIME(contentType string, r io.Reader, from string, opts *AuthOptions) (string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", errNotSigned
	}
	var p7 *pkcs7.PKCS7
	switch {
	case mt == "multipart/signed" && isPKCS7Signature(params["protocol"]):
		body, _ := io.ReadAll(r)
		content, sig, err := splitSigned(body, params["boundary"])
		if err != nil {
			return "", err
		}
		if p7, err = pkcs7.Parse(sig); err != nil {
			return "", fmt.Errorf("signature: %w", err)
		}
		// The signature covers the content in canonical form: CRLF line
		// ends (RFC 8551 §3.1.1), whatever the file on disk uses.
		p7.Content = canonicalCRLF(content)
	case (mt == "application/pkcs7-mime" || mt == "application/x-pkcs7-mime") && strings.EqualFold(params["smime-type"], "signed-data"):
		body, _ := io.ReadAll(r)
		der, err := base64.StdEncoding.DecodeString(strings.Map(dropSpace, string(body)))
		if err != nil {
			return "", fmt.Errorf("signed-data: %w", err)
		}
		if p7, err = pkcs7.Parse(der); err != nil {
			return "", fmt.Errorf("signed-data: %w", err)
		}
	default:
		return "", errNotSigned
	}
	trust := opts.Trust
	if trust == nil {
		if trust, err = x509.SystemCertPool(); err != nil {
			return "", fmt.Errorf("system roots: %w", err)
		}
	}
	now := time.Now()
	if opts.Now != nil {
		now = opts.Now()
	}
	if err := p7.VerifyWithChainAtTime(trust, now); err != nil {
		return "", err
	}
	cert := p7.GetOnlySigner()
	if cert == nil {
		return "", errors.New("not exactly one signer")
	}
	for _, e := range cert.EmailAddresses {
		if strings.EqualFold(e, from) {
			return strings.ToLower(e), nil
		}
	}
	return "", fmt.Errorf("the signer's certificate (%s) does not name the From address %q", cert.Subject.CommonName, from)
}

func isPKCS7Signature(protocol string) bool {
	p := strings.ToLower(protocol)
	return p == "application/pkcs7-signature" || p == "application/x-pkcs7-signature"
}

// splitSigned returns the first part of a multipart/signed body exactly as
// received (its header and body, without the CRLF before the next
// delimiter) and the decoded signature of the second.
func splitSigned(body []byte, boundary string) (content, sig []byte, err error) {
	if boundary == "" {
		return nil, nil, errors.New("multipart/signed without a boundary")
	}
	delim := []byte("--" + boundary)
	// Delimiter lines start a line: at the start of the body or after LF.
	var starts []int // offset of each delimiter line
	var ends []int   // offset just past each delimiter line's line end
	for i := 0; i < len(body); {
		j := bytes.Index(body[i:], delim)
		if j < 0 {
			break
		}
		at := i + j
		if at == 0 || body[at-1] == '\n' {
			eol := bytes.IndexByte(body[at:], '\n')
			if eol < 0 {
				eol = len(body) - at - 1
			}
			starts, ends = append(starts, at), append(ends, at+eol+1)
		}
		i = at + len(delim)
	}
	if len(starts) < 3 {
		return nil, nil, errors.New("multipart/signed without two parts")
	}
	content = body[ends[0]:starts[1]]
	content = bytes.TrimSuffix(content, []byte("\n"))
	content = bytes.TrimSuffix(content, []byte("\r"))

	part := body[ends[1]:starts[2]]
	tr := textproto.NewReader(bufio.NewReader(bytes.NewReader(part)))
	h, err := tr.ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return nil, nil, fmt.Errorf("signature part: %w", err)
	}
	if mt, _, _ := mime.ParseMediaType(h.Get("Content-Type")); !isPKCS7Signature(mt) {
		return nil, nil, fmt.Errorf("second part is %q, not a PKCS #7 signature", mt)
	}
	rest, _ := io.ReadAll(tr.R)
	if !strings.EqualFold(h.Get("Content-Transfer-Encoding"), "base64") {
		return content, rest, nil
	}
	sig, err = base64.StdEncoding.DecodeString(strings.Map(dropSpace, string(rest)))
	if err != nil {
		return nil, nil, fmt.Errorf("signature part: %w", err)
	}
	return content, sig, nil
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
		return -1
	}
	return r
}

// canonicalCRLF turns every bare LF into CRLF.
func canonicalCRLF(b []byte) []byte {
	if !bytes.Contains(b, []byte("\n")) || bytes.Count(b, []byte("\r\n")) == bytes.Count(b, []byte("\n")) {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/16)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// containsFold reports whether b holds s, a lower-case ASCII string, in
// any case, without making a lower-case copy of b.
func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if b[i]|0x20 == s[0] && bytes.EqualFold(b[i:i+len(s)], []byte(s)) {
			return true
		}
	}
	return false
}

// verifyDKIM checks the DKIM signatures of raw and returns the domain of
// one that verifies and is the From domain or a parent of it.
func verifyDKIM(ctx context.Context, raw []byte, from string, opts *AuthOptions) (string, error) {
	if !containsFold(raw, "dkim-signature") {
		return "", errNotSigned
	}
	lookup := opts.LookupTXT
	if lookup == nil {
		lookup = net.DefaultResolver.LookupTXT
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(canonicalCRLF(raw)), &dkim.VerifyOptions{
		LookupTXT:        func(name string) ([]string, error) { return lookup(ctx, name) },
		MaxVerifications: 5,
	})
	if err != nil && len(vs) == 0 {
		return "", err
	}
	if len(vs) == 0 {
		return "", errNotSigned
	}
	fromDomain := from[strings.LastIndexByte(from, '@')+1:]
	var firstErr error
	for _, v := range vs {
		d := strings.ToLower(v.Domain)
		switch {
		case v.Err != nil:
			if firstErr == nil {
				firstErr = v.Err
			}
		case fromDomain == d || strings.HasSuffix(fromDomain, "."+d):
			return d, nil
		default:
			if firstErr == nil {
				firstErr = fmt.Errorf("signed by %s, not by the From domain %s", d, fromDomain)
			}
		}
	}
	return "", firstErr
}
