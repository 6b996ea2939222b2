package identity_test

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
)

const (
	uuidR = "a74e22bb-3313-4dc4-af28-6c2bd1351c0f"
	uuidU = "A74E22BB-3313-4DC4-AF28-6C2BD1351C0F"
	tokA  = "3xkq7nbn2adqgmhwrd6a"
)

var (
	keyK = identity.Key{ID: "k", Secret: []byte("example secret, 32 octets long!!")}
	keyA = identity.Key{ID: "a", Secret: []byte("an older secret of thirty-two o.")}
	keyB = identity.Key{ID: "b", Secret: []byte("another secret, not for this app")}
)

// app returns mail-api@example.com, unsigned.
func app(t testing.TB) identity.App {
	t.Helper()
	a, err := identity.ParseApp("mail-api@example.com")
	if err != nil {
		t.Fatalf("ParseApp() = %v", err)
	}
	return a
}

// signed returns mail-api@example.com signing with keys.
func signed(t testing.TB, keys ...identity.Key) identity.App {
	t.Helper()
	a := app(t)
	if len(keys) == 0 {
		keys = []identity.Key{keyK}
	}
	a.Keys = keys
	return a
}

// header parses raw header lines written with \n into a mail.Header.
func header(t testing.TB, raw string) mail.Header {
	t.Helper()
	raw = strings.TrimLeft(raw, "\n")
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	if !strings.HasSuffix(raw, "\r\n") {
		raw += "\r\n"
	}
	m, err := mail.ReadMessage(strings.NewReader(raw + "\r\nbody\r\n"))
	if err != nil {
		t.Fatalf("ReadMessage(%q) = %v", raw, err)
	}
	return m.Header
}

// must returns v or fails the test.
func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}
