package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
	sqlitedriver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// busyTimeoutMillis is how long a connection waits for another process's write lock.
const busyTimeoutMillis = 10000

// Store is hushpay.Store on one SQLite file.
type Store struct {
	writer *sql.DB // one connection; every transaction BEGIN IMMEDIATE
	reader *sql.DB // read-only connections
}

var _ hushpay.Store = (*Store)(nil)

// Open opens (creating if needed) the SQLite database at path and applies pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	return sqlstore.OpenMigrated(ctx, func(ctx context.Context) (*Store, error) { return OpenWithoutMigrate(ctx, path) })
}

// OpenWithoutMigrate opens the database at path without touching its schema; call Migrate next.
func OpenWithoutMigrate(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: the database path is empty")
	}
	writer, err := openPool(ctx, path, "&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate", 1)
	if err != nil {
		return nil, err
	}
	reader, err := openPool(ctx, path, "&_query_only=1", max(4, runtime.GOMAXPROCS(0)))
	if err != nil {
		writer.Close()
		return nil, err
	}
	return &Store{writer: writer, reader: reader}, nil
}

func openPool(ctx context.Context, path, params string, conns int) (*sql.DB, error) {
	dsn := "file:" + escapePath(path) + fmt.Sprintf("?_busy_timeout=%d&_foreign_keys=1", busyTimeoutMillis) + params
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	return db, nil
}

// escapePath makes a file path safe inside an SQLite URI filename.
func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// Migrate applies the embedded migrations the database has not seen, each in its own
// transaction, and returns their names in order (none when the schema is current).
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	ms, err := sqlstore.Migrations(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`
	if _, err := s.writer.ExecContext(ctx, create); err != nil {
		return nil, dbError("migrate", err)
	}
	var applied []string
	for _, m := range ms {
		done, err := s.applyMigration(ctx, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, m.Name)
		}
	}
	return applied, nil
}

func (s *Store) applyMigration(ctx context.Context, m sqlstore.Migration) (bool, error) {
	applied := false
	err := s.write(ctx, "migrate", func(tx *sql.Tx) error {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Name).Scan(&n)
		if err != nil || n > 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, unixepoch('subsec') * 1000000)`, m.Name)
		applied = err == nil
		return err
	})
	return applied, err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.reader.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return dbError("ping", err)
	}
	return nil
}

// Close closes both connection pools.
func (s *Store) Close() error {
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// write runs fn in one IMMEDIATE transaction on the writer connection and commits it.
func (s *Store) write(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return dbError(op, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return dbError(op, err)
	}
	if err := tx.Commit(); err != nil {
		return dbError(op, err)
	}
	return nil
}

// exec runs one statement on the writer and returns the number of rows it changed.
func (s *Store) exec(ctx context.Context, op, query string, args ...any) (int64, error) {
	res, err := s.writer.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, dbError(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, dbError(op, err)
	}
	return n, nil
}

// query runs a read on the reader pool.
func (s *Store) query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := s.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// dialect is SQLite's: ? parameters, times as microseconds since the epoch.
var dialect = sqlstore.Dialect{
	Name:        "sqlite",
	Placeholder: func(int) string { return "?" },
	Time:        func(t time.Time) any { return sqlstore.Micros(t) },
	Classify:    classify,
}

// dbError turns a driver error into a hushpay error (see sqlstore.Dialect.Error). SQLite's
// messages name tables and columns, never bound values, so the driver error is kept for the logs.
func dbError(op string, err error) error { return dialect.Error(op, err) }

// classify tells a unique-constraint violation, a busy database and a closed one apart.
func classify(err error) (sqlstore.Fault, error) {
	var se *sqlitedriver.Error
	switch {
	case errors.As(err, &se) && isUnique(se.Code()):
		return sqlstore.FaultDuplicate, err
	case errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED):
		return sqlstore.FaultBusy, err
	case errors.Is(err, sql.ErrConnDone), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return sqlstore.FaultUnavailable, err
	case strings.Contains(err.Error(), "sql: database is closed"):
		return sqlstore.FaultUnavailable, err
	}
	return sqlstore.FaultOther, err
}

func isUnique(code int) bool {
	return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
