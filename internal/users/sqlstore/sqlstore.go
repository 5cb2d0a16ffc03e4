package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/users"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Store is users.Store on SQLite or PostgreSQL.
type Store struct {
	db       *sql.DB
	postgres bool
}

var _ users.Store = (*Store)(nil)

// Open opens the database named like HUSHPAY_DATABASE (sqlite:/abs/path.db or postgres://…; a
// relative SQLite path is taken from dataDir) and creates the user tables if they are missing.
func Open(ctx context.Context, database, dataDir string) (*Store, error) {
	s, err := open(database, dataDir)
	if err != nil {
		return nil, err
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("users store: open: %w", err)
	}
	if err := s.createTables(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func open(database, dataDir string) (*Store, error) {
	if strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://") {
		db, err := sql.Open("pgx", database)
		if err != nil {
			return nil, fmt.Errorf("users store: open: %w", err)
		}
		return &Store{db: db, postgres: true}, nil
	}
	path, ok := strings.CutPrefix(database, "sqlite:")
	path = strings.TrimPrefix(path, "//")
	if !ok || path == "" {
		return nil, errors.New("users store: the database must be sqlite:PATH or postgres://…")
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(dataDir, path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("users store: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_busy_timeout=10000&_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("users store: open: %w", err)
	}
	db.SetMaxOpenConns(1) // SQLite has one writer; one connection avoids SQLITE_BUSY between our own
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

const schema = `
CREATE TABLE IF NOT EXISTS web_users (
	id TEXT PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	tenant TEXT NOT NULL,
	role TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	totp_secret TEXT NOT NULL,
	totp_last_step BIGINT NOT NULL,
	failures INTEGER NOT NULL,
	locked_until BIGINT NOT NULL,
	enrol_hash TEXT NOT NULL,
	enrol_expires BIGINT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS web_users_enrol ON web_users (enrol_hash);
CREATE TABLE IF NOT EXISTS web_sessions (
	id_hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES web_users (id) ON DELETE CASCADE,
	csrf TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	last_seen BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS web_sessions_last_seen ON web_sessions (last_seen);
`

func (s *Store) createTables(ctx context.Context) error {
	for _, stmt := range strings.Split(schema, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("users store: create tables: %w", err)
		}
	}
	return nil
}

// q rewrites ? placeholders to $1, $2… for PostgreSQL.
func (s *Store) q(query string) string {
	if !s.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

const userColumns = `id, email, tenant, role, password_hash, totp_secret, totp_last_step, failures, locked_until, enrol_hash, enrol_expires, created_at`

// CreateUser inserts u; KindConflict when the email is taken.
func (s *Store) CreateUser(ctx context.Context, u *users.User) error {
	var n int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM web_users WHERE email = ?`), u.Email).Scan(&n); err != nil {
		return fmt.Errorf("users store: %w", err)
	}
	if n > 0 {
		return &hushpay.Error{Kind: hushpay.KindConflict, Code: "user_exists", Field: "email", Message: "a user with this email already exists"}
	}
	secret, err := sealedColumn(u)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, s.q(`INSERT INTO web_users (`+userColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`),
		u.ID, u.Email, u.Tenant, string(u.Role), u.PasswordHash, secret, u.TOTPLastStep, u.Failures,
		nanos(u.LockedUntil), u.EnrolHash, nanos(u.EnrolExpires), nanos(u.CreatedAt))
	if err != nil {
		return fmt.Errorf("users store: create user: %w", err)
	}
	return nil
}

// UpdateUser writes every field of u but its ID, email, tenant and creation time.
func (s *Store) UpdateUser(ctx context.Context, u *users.User) error {
	secret, err := sealedColumn(u)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE web_users SET role = ?, password_hash = ?, totp_secret = ?, totp_last_step = ?,
		failures = ?, locked_until = ?, enrol_hash = ?, enrol_expires = ? WHERE id = ?`),
		string(u.Role), u.PasswordHash, secret, u.TOTPLastStep, u.Failures, nanos(u.LockedUntil), u.EnrolHash,
		nanos(u.EnrolExpires), u.ID)
	if err != nil {
		return fmt.Errorf("users store: update user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return hushpay.NotFound("user")
	}
	return nil
}

// UserByID returns the user with that ID.
func (s *Store) UserByID(ctx context.Context, id string) (*users.User, error) {
	return s.user(ctx, `id = ?`, id)
}

// UserByEmail returns the user with that (lower-case) email.
func (s *Store) UserByEmail(ctx context.Context, email string) (*users.User, error) {
	return s.user(ctx, `email = ?`, email)
}

// UserByEnrolHash returns the user whose enrolment token hashes to hash.
func (s *Store) UserByEnrolHash(ctx context.Context, hash string) (*users.User, error) {
	if hash == "" {
		return nil, hushpay.NotFound("user")
	}
	return s.user(ctx, `enrol_hash = ?`, hash)
}

func (s *Store) user(ctx context.Context, where string, arg string) (*users.User, error) {
	var u users.User
	var role, secret string
	var locked, expires, created int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT `+userColumns+` FROM web_users WHERE `+where), arg).Scan(
		&u.ID, &u.Email, &u.Tenant, &role, &u.PasswordHash, &secret, &u.TOTPLastStep, &u.Failures,
		&locked, &u.EnrolHash, &expires, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hushpay.NotFound("user")
	}
	if err != nil {
		return nil, fmt.Errorf("users store: read user: %w", err)
	}
	u.Role, u.LockedUntil, u.EnrolExpires, u.CreatedAt = hushpay.Role(role), fromNanos(locked), fromNanos(expires), fromNanos(created)
	if err := readSecretColumn(&u, secret); err != nil {
		return nil, err
	}
	return &u, nil
}

// sealedPrefix starts the totp_secret column of a row whose secret is sealed; the rest is the
// sealed bytes in unpadded standard base64. A value without it is a base32 secret stored in clear
// before secrets were sealed (base32 has no ':').
const sealedPrefix = "sealed:"

// sealedColumn returns the totp_secret column of u: its sealed secret, never its clear one.
func sealedColumn(u *users.User) (string, error) {
	if len(u.TOTPSealed) == 0 {
		return "", errors.New("users store: refusing to write a user whose TOTP secret is not sealed")
	}
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(u.TOTPSealed), nil
}

// readSecretColumn sets u's sealed secret from the totp_secret column, or its clear secret if
// the row predates sealing.
func readSecretColumn(u *users.User, column string) error {
	encoded, sealed := strings.CutPrefix(column, sealedPrefix)
	if !sealed {
		u.TOTPSecret = column
		return nil
	}
	b, err := base64.RawStdEncoding.DecodeString(encoded)
	if err != nil {
		return fmt.Errorf("users store: user %s: the sealed TOTP secret is not base64", u.ID)
	}
	u.TOTPSealed = b
	return nil
}

// CreateSession inserts a session.
func (s *Store) CreateSession(ctx context.Context, se *users.Session) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO web_sessions (id_hash, user_id, csrf, created_at, last_seen) VALUES (?,?,?,?,?)`),
		se.IDHash, se.UserID, se.CSRF, nanos(se.CreatedAt), nanos(se.LastSeen))
	if err != nil {
		return fmt.Errorf("users store: create session: %w", err)
	}
	return nil
}

// SessionByHash returns the session whose token hashes to hash.
func (s *Store) SessionByHash(ctx context.Context, hash string) (*users.Session, error) {
	var se users.Session
	var created, seen int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id_hash, user_id, csrf, created_at, last_seen FROM web_sessions WHERE id_hash = ?`), hash).
		Scan(&se.IDHash, &se.UserID, &se.CSRF, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hushpay.NotFound("session")
	}
	if err != nil {
		return nil, fmt.Errorf("users store: read session: %w", err)
	}
	se.CreatedAt, se.LastSeen = fromNanos(created), fromNanos(seen)
	return &se, nil
}

// TouchSession sets the session's last use.
func (s *Store) TouchSession(ctx context.Context, hash string, t time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE web_sessions SET last_seen = ? WHERE id_hash = ?`), nanos(t), hash)
	if err != nil {
		return fmt.Errorf("users store: touch session: %w", err)
	}
	return nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM web_sessions WHERE id_hash = ?`), hash); err != nil {
		return fmt.Errorf("users store: delete session: %w", err)
	}
	return nil
}

// DeleteSessionsBefore deletes sessions last seen before t.
func (s *Store) DeleteSessionsBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM web_sessions WHERE last_seen < ?`), nanos(t))
	if err != nil {
		return 0, fmt.Errorf("users store: prune sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
