// Package pgtest gives each test its own PostgreSQL schema on the server
// named by MAILTRAIL_TEST_POSTGRES_URL, so that tests run in parallel
// without seeing each other's messages. Without that variable the tests
// that need PostgreSQL skip, saying how to run them (.ci/postgres.sh).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvVar names the variable holding the test server's URL.
const EnvVar = "MAILTRAIL_TEST_POSTGRES_URL"

// Password returns the password of the test server's URL, for tests that
// check it never shows; "" when there is none.
func Password() string {
	u, err := url.Parse(os.Getenv(EnvVar))
	if err != nil {
		return ""
	}
	pw, _ := u.User.Password()
	return pw
}

// URL returns the test server's URL with search_path set to a fresh,
// empty schema, dropped with everything in it when the test ends. It skips
// the test when EnvVar is unset.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvVar)
	if base == "" {
		t.Skipf("%s is not set: PostgreSQL tests skipped (start a throw-away server with "+
			"\"bash .ci/postgres.sh start\", then eval \"$(bash .ci/postgres.sh env)\" and export it)", EnvVar)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: %s does not parse", EnvVar) // its text may hold a password
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "mt_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("pgtest: connect: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
