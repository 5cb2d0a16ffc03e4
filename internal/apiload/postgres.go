package apiload

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPostgresURL is the PostgreSQL server used when neither Config.PostgresURL nor
// HUSHPAY_TEST_POSTGRES names one.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test"

// pgSchema is a schema made for one run and dropped after it.
type pgSchema struct {
	admin string // the server URL without pool settings, for the connection that drops the schema
	name  string
}

// newSchema creates a fresh schema on the server at base and returns it with the URL the store
// opens: base with search_path set to the schema and, when poolSize > 0, pool_max_conns.
func newSchema(ctx context.Context, base string, poolSize int) (*pgSchema, string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, "", fmt.Errorf("apiload: the PostgreSQL URL is not a postgres:// URL")
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k) // pgxpool's settings: a single connection would send them to the server
		}
	}
	u.RawQuery = q.Encode()
	sc := &pgSchema{admin: u.String(), name: "hushpay_apiload_" + randomHex(6)}
	if err := sc.exec(ctx, "CREATE SCHEMA "+sc.name); err != nil {
		return nil, "", err
	}
	q.Set("search_path", sc.name)
	if poolSize > 0 {
		q.Set("pool_max_conns", strconv.Itoa(poolSize))
	}
	u.RawQuery = q.Encode()
	return sc, u.String(), nil
}

// drop removes the schema and everything in it.
func (sc *pgSchema) drop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return sc.exec(ctx, "DROP SCHEMA "+sc.name+" CASCADE")
}

func (sc *pgSchema) exec(ctx context.Context, stmt string) error {
	conn, err := pgx.Connect(ctx, sc.admin)
	if err != nil {
		return fmt.Errorf("apiload: connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("apiload: %s: %w", strings.Fields(stmt)[0], err)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
