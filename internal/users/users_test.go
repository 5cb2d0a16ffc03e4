package users_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/audit"
	"github.com/hushpay/hushpay/internal/store"
	"github.com/hushpay/hushpay/internal/store/storetest"
	"github.com/hushpay/hushpay/internal/users"
	"github.com/hushpay/hushpay/internal/users/sqlstore"
	"github.com/hushpay/hushpay/internal/vault"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// testArgon2 keeps the tests fast; production uses users.DefaultArgon2.
var testArgon2 = users.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}

type fixture struct {
	m        *users.Manager
	clock    *fakeClock
	store    hushpay.Store
	database string
	dataDir  string
}

func newFixture(t *testing.T, database string) *fixture {
	t.Helper()
	ctx := context.Background()
	dataDir := t.TempDir()
	st, err := store.Open(ctx, database, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	us, err := sqlstore.Open(ctx, database, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { us.Close(); st.Close() })
	clock := &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	ring, _, err := vault.LoadOrCreateDevKeyRing(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(ctx, st, ring, clock)
	if err != nil {
		t.Fatal(err)
	}
	m, err := users.New(users.Config{Store: us, Audit: audit.New(st, clock), Clock: clock, Argon2: testArgon2, Sealer: v})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{m: m, clock: clock, store: st, database: database, dataDir: dataDir}
}

func databases(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "hushpay.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresURL(t) },
	}
}

func (f *fixture) code(t *testing.T, u *users.User) string {
	t.Helper()
	c, err := users.TOTPCode(u.TOTPSecret, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrolled creates and enrols ana@example.com with the password "correct horse battery".
func (f *fixture) enrolled(t *testing.T) *users.User {
	t.Helper()
	ctx := context.Background()
	u, token, err := f.m.Create(ctx, "Ana@Example.com", "acme", hushpay.RoleAgent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.Enrol(ctx, token, "correct horse battery", f.code(t, u)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.Enrolment(ctx, token); hushpay.KindOf(err) != hushpay.KindGone {
		t.Fatalf("enrolment link after use: %v, want gone", err)
	}
	f.clock.Add(30 * time.Second) // the next code
	return u
}

func actions(t *testing.T, st hushpay.Store) map[string]int {
	t.Helper()
	entries, err := st.ListAudit(context.Background(), "acme", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range entries {
		n[e.Action]++
	}
	return n
}

func TestSignIn(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, db(t))
			u := f.enrolled(t)

			t.Run("the right password and code start a session", func(t *testing.T) {
				got, s, token, err := f.m.SignIn(ctx, "ana@example.com", "correct horse battery", f.code(t, u))
				if err != nil || got.Role != hushpay.RoleAgent || got.Tenant != "acme" || s.CSRF == "" || token == "" {
					t.Fatalf("%v %+v", err, got)
				}
				if _, who, err := f.m.Session(ctx, token, true); err != nil || who.ID != u.ID {
					t.Fatalf("session: %v", err)
				}
			})
			t.Run("the same code is not accepted twice", func(t *testing.T) {
				_, _, _, err := f.m.SignIn(ctx, "ana@example.com", "correct horse battery", f.code(t, u))
				if err != users.ErrSignIn {
					t.Fatalf("replayed code: %v", err)
				}
			})
			t.Run("an unknown email fails like a wrong password", func(t *testing.T) {
				if _, _, _, err := f.m.SignIn(ctx, "nobody@example.com", "x", "123456"); err != users.ErrSignIn {
					t.Fatalf("%v", err)
				}
			})
			t.Run("five failures lock the account for 15 minutes, even against the right answer", func(t *testing.T) {
				f.clock.Add(30 * time.Second)
				var err error
				for range users.MaxFailures - 1 { // one failure already counted above
					_, _, _, err = f.m.SignIn(ctx, "ana@example.com", "wrong password!", f.code(t, u))
				}
				if err != users.ErrLocked {
					t.Fatalf("fifth failure: %v, want locked", err)
				}
				if _, _, _, err := f.m.SignIn(ctx, "ana@example.com", "correct horse battery", f.code(t, u)); err != users.ErrLocked {
					t.Fatalf("right answer while locked: %v", err)
				}
				f.clock.Add(users.LockoutDuration + time.Minute)
				if _, _, _, err := f.m.SignIn(ctx, "ana@example.com", "correct horse battery", f.code(t, u)); err != nil {
					t.Fatalf("after the lockout: %v", err)
				}
			})
			t.Run("every sign-in, failure and lockout is in the audit trail", func(t *testing.T) {
				n := actions(t, f.store)
				if n["user.signed_in"] != 2 || n["user.sign_in_failed"] < 5 || n["user.locked"] != 1 || n["user.enrolled"] != 1 {
					t.Fatalf("audit actions: %v", n)
				}
			})
		})
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "sqlite:"+filepath.Join(t.TempDir(), "hushpay.db"))
	u := f.enrolled(t)
	_, _, token, err := f.m.SignIn(ctx, u.Email, "correct horse battery", f.code(t, u))
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(14 * time.Minute)
	if _, _, err := f.m.Session(ctx, token, true); err != nil {
		t.Fatalf("after 14 idle minutes: %v", err)
	}
	f.clock.Add(14 * time.Minute)
	if _, _, err := f.m.Session(ctx, token, false); err != nil {
		t.Fatalf("14 minutes after a touch: %v", err)
	}
	f.clock.Add(2 * time.Minute)
	if _, _, err := f.m.Session(ctx, token, true); err != users.ErrSessionExpired {
		t.Fatalf("after 16 idle minutes: %v", err)
	}
	if _, _, err := f.m.Session(ctx, token, true); hushpay.KindOf(err) != hushpay.KindNotFound {
		t.Fatalf("an expired session is deleted: %v", err)
	}
}

func TestEnrolRefuses(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "sqlite:"+filepath.Join(t.TempDir(), "hushpay.db"))
	u, token, err := f.m.Create(ctx, "bo@example.com", "", hushpay.RoleSupervisor)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, password, code, wantCode string
	}{
		{"a short password", "short", f.code(t, u), "password_too_short"},
		{"a wrong code", "correct horse battery", "000000", "wrong_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.m.Enrol(ctx, token, tt.password, tt.code)
			var e *hushpay.Error
			if !asError(err, &e) || e.Code != tt.wantCode {
				t.Fatalf("%v, want %s", err, tt.wantCode)
			}
		})
	}
	t.Run("a duplicate email", func(t *testing.T) {
		if _, _, err := f.m.Create(ctx, "BO@example.com", "", hushpay.RoleAgent); hushpay.KindOf(err) != hushpay.KindConflict {
			t.Fatalf("%v", err)
		}
	})
	t.Run("an expired enrolment link", func(t *testing.T) {
		f.clock.Add(users.EnrolTTL + time.Minute)
		if _, err := f.m.Enrolment(ctx, token); hushpay.KindOf(err) != hushpay.KindGone {
			t.Fatalf("%v", err)
		}
	})
}

func TestPasswordHash(t *testing.T) {
	h, err := users.HashPassword("correct horse battery", users.DefaultArgon2)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, password, hash string
		ok, wantErr          bool
	}{
		{"the right password", "correct horse battery", h, true, false},
		{"a wrong password", "correct horse batterx", h, false, false},
		{"not argon2id", "x", "$2a$10$abcdefghijklmnopqrstuv", false, true},
		{"absurd cost", "x", "$argon2id$v=19$m=999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := users.VerifyPassword(tt.password, tt.hash)
			if ok != tt.ok || (err != nil) != tt.wantErr {
				t.Fatalf("ok=%v err=%v", ok, err)
			}
		})
	}
}

func asError(err error, target **hushpay.Error) bool { return errors.As(err, target) }
