package testcert_test

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"

	"github.com/mailtrail/mailtrail/internal/testcert"
)

// TestNew_handshake checks that a client trusting the pool completes a TLS
// handshake with the certificate on every loopback name, and that two
// certificates are distinct.
func TestNew_handshake(t *testing.T) {
	cert, pool, err := testcert.New("probe")
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	if cert.Leaf.Subject.CommonName != "probe" {
		t.Errorf("CommonName = %q, want probe", cert.Leaf.Subject.CommonName)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	for _, name := range []string{"127.0.0.1", "localhost"} {
		c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: name})
		if err != nil {
			t.Errorf("Dial with ServerName %q = %v", name, err)
			continue
		}
		c.Close()
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "::1"}); err != nil {
		t.Errorf("Verify(::1) = %v", err)
	}
	if !cert.Leaf.IPAddresses[1].Equal(net.IPv6loopback) {
		t.Errorf("IPAddresses = %v, want 127.0.0.1 and ::1", cert.Leaf.IPAddresses)
	}
	other, _, err := testcert.New("probe")
	if err != nil {
		t.Fatal(err)
	}
	if other.Leaf.SerialNumber.Cmp(cert.Leaf.SerialNumber) == 0 {
		t.Error("two certificates share a serial number")
	}
}
