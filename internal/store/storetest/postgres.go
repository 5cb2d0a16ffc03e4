package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPostgresURL is the test database of CI and developer machines; HUSHPAY_TEST_POSTGRES
// overrides it.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test"

// PostgresURL creates an empty schema with a random name in the test database and returns a URL
// whose connections use it (search_path=NAME), for postgres.Open or store.Open; the schema is
// dropped when the test ends. Without a reachable database the test is skipped, or fails when
// CI=true.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("HUSHPAY_TEST_POSTGRES")
	if base == "" {
		base = DefaultPostgresURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, withoutPoolParams(base))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI: cannot connect to HUSHPAY_TEST_POSTGRES or %s: %v", DefaultPostgresURL, err)
		}
		t.Skipf("PostgreSQL not reachable (set HUSHPAY_TEST_POSTGRES, or run it at %s): %v", DefaultPostgresURL, err)
	}
	schema := "hushpay_test_" + randomHex()
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() { dropSchema(t, admin, schema) })
	return withSearchPath(t, base, schema)
}

func dropSchema(t testing.TB, admin *pgx.Conn, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		t.Errorf("drop test schema: %v", err)
	}
}

func withSearchPath(t testing.TB, base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("HUSHPAY_TEST_POSTGRES is not a URL")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// withoutPoolParams drops pgxpool's own settings (pool_max_conns, …) from a URL for a single
// connection, which would send them to the server as unknown parameters.
func withoutPoolParams(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
