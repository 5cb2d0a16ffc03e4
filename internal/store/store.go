package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/postgres"
	"github.com/hushpay/hushpay/internal/store/sqlite"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

// migrator is a store opened without its migrations.
type migrator interface {
	hushpay.Store
	Migrate(ctx context.Context) ([]string, error)
}

// Open opens the database named by database (the HUSHPAY_DATABASE setting) and applies pending
// migrations. "sqlite:hushpay.db" is a file in dataDir ("." when empty), "sqlite:/abs/path" an
// absolute file (the file's directory is created if missing); "postgres://…" and
// "postgresql://…" are PostgreSQL URLs (add search_path=NAME to use a schema other than public).
func Open(ctx context.Context, database, dataDir string) (hushpay.Store, error) {
	return sqlstore.OpenMigrated(ctx, func(ctx context.Context) (migrator, error) {
		return openWithoutMigrate(ctx, database, dataDir)
	})
}

// Migrate opens the database like Open, applies the migrations it has not seen, closes it, and
// returns the names of those it applied (none when the schema is current).
func Migrate(ctx context.Context, database, dataDir string) ([]string, error) {
	s, err := openWithoutMigrate(ctx, database, dataDir)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Migrate(ctx)
}

func openWithoutMigrate(ctx context.Context, database, dataDir string) (migrator, error) {
	kind, target, err := parse(database, dataDir)
	if err != nil {
		return nil, err
	}
	if kind == "postgres" {
		return postgres.OpenWithoutMigrate(ctx, target)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return nil, fmt.Errorf("HUSHPAY_DATABASE: create the database directory: %w", err)
	}
	return sqlite.OpenWithoutMigrate(ctx, target)
}

// usage says what HUSHPAY_DATABASE may hold.
const usage = "use sqlite:PATH or postgres://…"

// parse returns which store database names ("sqlite" or "postgres") and its file path or URL.
func parse(database, dataDir string) (kind, target string, err error) {
	scheme, rest, ok := strings.Cut(database, ":")
	switch {
	case database == "":
		return "", "", errors.New("HUSHPAY_DATABASE is empty; " + usage)
	case !ok:
		return "", "", errors.New("HUSHPAY_DATABASE has no scheme; " + usage)
	case scheme == "postgres" || scheme == "postgresql":
		if !strings.HasPrefix(rest, "//") {
			return "", "", errors.New("HUSHPAY_DATABASE: a PostgreSQL database is a URL, postgres://…")
		}
		return "postgres", database, nil
	case scheme == "sqlite":
		return sqlitePath(rest, dataDir)
	}
	if !schemeRE.MatchString(scheme) {
		return "", "", errors.New("HUSHPAY_DATABASE has no valid scheme; " + usage)
	}
	return "", "", fmt.Errorf("HUSHPAY_DATABASE: unknown scheme %q; "+usage, scheme)
}

// schemeRE matches a URL scheme (RFC 3986), the only part of a bad setting an error may quote.
var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]{0,15}$`)

// sqlitePath resolves the path of sqlite:PATH (also written sqlite://PATH or sqlite:///abs/path).
func sqlitePath(p, dataDir string) (string, string, error) {
	p = strings.TrimPrefix(p, "//")
	if p == "" {
		return "", "", errors.New("HUSHPAY_DATABASE: sqlite: needs a file name, e.g. sqlite:hushpay.db")
	}
	if filepath.IsAbs(p) {
		return "sqlite", filepath.Clean(p), nil
	}
	if dataDir == "" {
		dataDir = "."
	}
	return "sqlite", filepath.Join(dataDir, p), nil
}

// Describe returns database fit for a log line: a PostgreSQL URL without its password (in the
// user part or a password= parameter).
func Describe(database string) string {
	if strings.HasPrefix(database, "sqlite:") {
		return database
	}
	u, err := url.Parse(database)
	if err != nil {
		return "(unparsable database setting)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
