package users_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/postgres"
	"github.com/hushpay/hushpay/internal/users/sqlstore"
)

// rawDB opens the fixture's database directly, as someone with a copy of it would.
func (f *fixture) rawDB(t *testing.T) (*sql.DB, func(string) string) {
	t.Helper()
	path, onSQLite := strings.CutPrefix(f.database, "sqlite:")
	driver, dsn := "pgx", f.database
	if onSQLite {
		driver, dsn = "sqlite", "file:"+path+"?_busy_timeout=10000"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	placeholders := func(q string) string {
		for n := 1; !onSQLite && strings.Contains(q, "?"); n++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(n), 1)
		}
		return q
	}
	return db, placeholders
}

func (f *fixture) secretColumn(t *testing.T, id string) string {
	t.Helper()
	db, q := f.rawDB(t)
	var column string
	if err := db.QueryRow(q(`SELECT totp_secret FROM web_users WHERE id = ?`), id).Scan(&column); err != nil {
		t.Fatal(err)
	}
	return column
}

func (f *fixture) setSecretColumn(t *testing.T, id, column string) {
	t.Helper()
	db, q := f.rawDB(t)
	if _, err := db.Exec(q(`UPDATE web_users SET totp_secret = ? WHERE id = ?`), column, id); err != nil {
		t.Fatal(err)
	}
}

// databaseBytes returns everything the database holds: the SQLite files (with the write-ahead
// log), or a dump of every PostgreSQL table.
func (f *fixture) databaseBytes(t *testing.T) []byte {
	t.Helper()
	if path, ok := strings.CutPrefix(f.database, "sqlite:"); ok {
		var all []byte
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(path + suffix)
			if err != nil && suffix == "" {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	pg, err := postgres.Open(context.Background(), f.database)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	var dump bytes.Buffer
	if err := pg.Dump(context.Background(), &dump); err != nil {
		t.Fatal(err)
	}
	return dump.Bytes()
}

func TestTOTPSecretIsSealedAtRest(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, db(t))
			u := f.enrolled(t)
			if _, _, _, err := f.m.SignIn(ctx, u.Email, "correct horse battery", f.code(t, u)); err != nil {
				t.Fatalf("sign-in with a valid code: %v", err)
			}
			raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.TOTPSecret)
			if err != nil || len(raw) != 20 {
				t.Fatalf("the secret is not 160 bits of base32: %v", err)
			}
			all := f.databaseBytes(t)
			if !bytes.Contains(all, []byte(u.Email)) || !bytes.Contains(all, []byte("sealed:")) {
				t.Fatal("the database does not hold the user: the scan would prove nothing")
			}
			if n := bytes.Count(all, []byte(u.TOTPSecret)); n != 0 {
				t.Errorf("the database holds the base32 TOTP secret %d times", n)
			}
			if n := bytes.Count(all, raw); n != 0 {
				t.Errorf("the database holds the raw TOTP key %d times", n)
			}
		})
	}
}

func TestSealedSecretMovedToAnotherUserDoesNotOpen(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, db(t))
			ana := f.enrolled(t)
			bo, token, err := f.m.Create(ctx, "bo@example.com", "acme", hushpay.RoleAgent)
			if err != nil {
				t.Fatal(err)
			}
			f.setSecretColumn(t, bo.ID, f.secretColumn(t, ana.ID))
			if got, err := f.m.Enrolment(ctx, token); err == nil || hushpay.KindOf(err) != hushpay.KindOther {
				t.Fatalf("bo's enrolment with ana's sealed secret: %v (user %v), want an internal error", err, got != nil)
			}
			if _, _, _, err := f.m.SignIn(ctx, ana.Email, "correct horse battery", f.code(t, ana)); err != nil {
				t.Fatalf("ana, whose row is untouched: %v", err)
			}
		})
	}
}

func TestClearSecretFromBeforeSealingIsSealedOnNextSignIn(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, db(t))
			u := f.enrolled(t)
			f.setSecretColumn(t, u.ID, u.TOTPSecret) // as an older hushpay wrote it
			if _, _, _, err := f.m.SignIn(ctx, u.Email, "correct horse battery", f.code(t, u)); err != nil {
				t.Fatalf("sign-in against the clear row: %v", err)
			}
			column := f.secretColumn(t, u.ID)
			if !strings.HasPrefix(column, "sealed:") || strings.Contains(column, u.TOTPSecret) {
				t.Fatal("the clear secret was not sealed by the sign-in")
			}
			f.clock.Add(30 * time.Second)
			if _, _, _, err := f.m.SignIn(ctx, u.Email, "correct horse battery", f.code(t, u)); err != nil {
				t.Fatalf("sign-in against the re-sealed row: %v", err)
			}
		})
	}
}

func TestStoreRefusesAClearSecret(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "sqlite:"+filepath.Join(t.TempDir(), "hushpay.db"))
	u := f.enrolled(t)
	us, err := sqlstore.Open(ctx, f.database, f.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer us.Close()
	unsealed := *u // TOTPSecret set, TOTPSealed not
	unsealed.TOTPSealed = nil
	if err := us.UpdateUser(ctx, &unsealed); err == nil {
		t.Fatal("the store wrote a user without a sealed secret")
	}
	unsealed.ID, unsealed.Email = "usr_other", "other@example.com"
	if err := us.CreateUser(ctx, &unsealed); err == nil {
		t.Fatal("the store created a user without a sealed secret")
	}
	if strings.Contains(string(f.databaseBytes(t)), u.TOTPSecret) {
		t.Fatal("the clear secret reached the database")
	}
}
