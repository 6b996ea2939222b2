package inbound

import (
	"bytes"
	"os"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
)

const (
	testApp = "fleet@example.com"
	testRID = "a74e22bb-3313-4dc4-af28-6c2bd1351c0f"
)

func fleetApp(t testing.TB) identity.App {
	t.Helper()
	app, err := identity.ParseApp(testApp)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func parseFile(t testing.TB, path string) *Message {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("Parse(%s) error = %v", path, err)
	}
	return m
}
