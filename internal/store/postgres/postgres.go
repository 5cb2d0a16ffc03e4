package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Advisory lock classes (the first key of pg_advisory_xact_lock(int, int)); the second key is a
// hash of the schema (migrations) or of the tenant (audit appends).
const (
	lockMigrations int32 = 0x68700001 // "hp" 1
	lockAudit      int32 = 0x68700002 // "hp" 2
)

// Store is hushpay.Store on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
}

var _ hushpay.Store = (*Store)(nil)

// Open connects to the database at url (postgres://…) and applies pending migrations.
func Open(ctx context.Context, url string) (*Store, error) {
	return sqlstore.OpenMigrated(ctx, func(ctx context.Context) (*Store, error) { return OpenWithoutMigrate(ctx, url) })
}

// defaultMaxConns is the pool size unless the URL sets pool_max_conns: pgxpool's own default (4
// on a small machine) queues the API's concurrent writes behind too few commits in flight.
const defaultMaxConns = 16

// OpenWithoutMigrate connects to the database at url without touching its schema; call Migrate
// next. The URL may carry pgxpool's settings (pool_max_conns, …) and server parameters
// (search_path, …) in its query.
func OpenWithoutMigrate(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors can quote the URL, password included: say only that it is bad.
		return nil, errors.New("postgres: the database URL is not valid")
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	return OpenConfig(ctx, cfg)
}

// OpenConfig connects with a pool configuration built by the caller (for search_path, pool sizes
// or TLS settings), without migrating.
func OpenConfig(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, dbError("open", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, dbError("open", err)
	}
	return &Store{pool: pool}, nil
}

// Migrate applies the embedded migrations the database has not seen, all in one transaction under
// an advisory lock, and returns their names in order (none when the schema is current).
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	ms, err := sqlstore.Migrations(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	var applied []string
	err = s.write(ctx, "migrate", func(tx pgx.Tx) error {
		applied = nil
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, lockMigrations); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
		if err != nil {
			return err
		}
		for _, m := range ms {
			done, err := applyMigration(ctx, tx, m)
			if err != nil {
				return err
			}
			if done {
				applied = append(applied, m.Name)
			}
		}
		return nil
	})
	return applied, err
}

func applyMigration(ctx context.Context, tx pgx.Tx, m sqlstore.Migration) (bool, error) {
	var seen bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, m.Name).Scan(&seen)
	if err != nil || seen {
		return false, err
	}
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.Name)
	return err == nil, err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return dbError("ping", s.pool.Ping(ctx))
}

// Close closes the pool, waiting for connections in use to be released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// write runs fn in one transaction and commits it.
func (s *Store) write(ctx context.Context, op string, fn func(tx pgx.Tx) error) error {
	return dbError(op, pgx.BeginFunc(ctx, s.pool, fn))
}

// exec runs one statement and returns the number of rows it changed.
func (s *Store) exec(ctx context.Context, op, query string, args ...any) (int64, error) {
	tag, err := s.pool.Exec(ctx, query, args...)
	if err != nil {
		return 0, dbError(op, err)
	}
	return tag.RowsAffected(), nil
}

// query runs a read on the pool.
func (s *Store) query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgRows{rows}, nil
}

// pgRows gives pgx's rows the Close of database/sql's, for sqlstore.
type pgRows struct{ pgx.Rows }

// Close closes the rows; their error is Err's.
func (r pgRows) Close() error {
	r.Rows.Close()
	return nil
}

// dialect is PostgreSQL's: $n parameters, times as timestamptz.
var dialect = sqlstore.Dialect{
	Name:        "postgres",
	Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
	Time:        func(t time.Time) any { return sqlstore.Trim(t) },
	Classify:    classify,
}

// dbError turns a driver error into a hushpay error (see sqlstore.Dialect.Error).
func dbError(op string, err error) error { return dialect.Error(op, err) }

// classify tells a unique violation and an unreachable database apart. A server error is reduced
// to its SQLSTATE, names and message (never its detail, which can quote row values; nor the
// message of a data exception, which can too).
func classify(err error) (sqlstore.Fault, error) {
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe):
		if pe.Code == "23505" {
			return sqlstore.FaultDuplicate, safePgError(pe)
		}
		return sqlstore.FaultOther, safePgError(pe)
	case unavailable(err):
		return sqlstore.FaultUnavailable, err
	}
	return sqlstore.FaultOther, err
}

func safePgError(pe *pgconn.PgError) error {
	var b strings.Builder
	fmt.Fprintf(&b, "SQLSTATE %s", pe.Code)
	for _, name := range []string{pe.TableName, pe.ColumnName, pe.ConstraintName} {
		if name != "" {
			b.WriteString(" " + name)
		}
	}
	if !strings.HasPrefix(pe.Code, "22") {
		b.WriteString(": " + pe.Message)
	}
	return errors.New(b.String())
}

func unavailable(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || pgconn.Timeout(err) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, puddle.ErrClosedPool) ||
		errors.Is(err, pgx.ErrTxClosed)
}
