package inbound_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// TestVerifyAuth_linear proves by bytes allocated, not by time, that
// checking the signatures (the function of FuzzVerifyAuth) grows linearly
// with hostile input.
func TestVerifyAuth_linear(t *testing.T) {
	opts := authOptions(t, authKeys().ourCert)
	signed := signedByUs(t, true, true)
	// The body hash of "x" is right, so that the header fields named by
	// h= are hashed too before the signature fails.
	sum := sha256.Sum256([]byte("x\r\n"))
	dkim := "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=mt2026; bh=" +
		base64.StdEncoding.EncodeToString(sum[:]) + "; "
	shapes := []struct {
		name string
		gen  func(n int) []byte
	}{
		{"signed, then a long epilogue", func(n int) []byte {
			return append(bytes.Clone(signed), strings.Repeat("more text\r\n", n)...)
		}},
		{"many DKIM-Signature fields", func(n int) []byte {
			return []byte(strings.Repeat(dkim+"h=from; b=AAAA\r\n", n/8) + "From: a@example.com\r\n\r\nx\r\n")
		}},
		{"long h= list and many From fields", func(n int) []byte {
			return []byte(dkim + "h=" + strings.Repeat("from:", n) + "from; b=AAAA\r\n" +
				strings.Repeat("From: a@example.com\r\n", n) + "\r\nx\r\n")
		}},
		{"many tags", func(n int) []byte {
			return []byte(dkim + manyTags(n) + "h=from; b=AAAA\r\nFrom: a@example.com\r\n\r\nx\r\n")
		}},
		{"long body lines", func(n int) []byte {
			return []byte(dkim + "h=from; b=AAAA\r\nFrom: a@example.com\r\n\r\nx" + strings.Repeat(" \t ", 2*n) + "\r\n")
		}},
	}
	for _, tt := range shapes {
		t.Run(tt.name, func(t *testing.T) {
			lineartest.Check(t, 1000, tt.gen, func(raw []byte) { inbound.VerifyAuth(context.Background(), raw, opts) })
		})
	}
}

// manyTags is n distinct DKIM tags that the verifier does not know.
func manyTags(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "x%d=y; ", i)
	}
	return b.String()
}
