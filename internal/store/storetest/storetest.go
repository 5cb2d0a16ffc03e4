package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hushpay/hushpay"
)

// Tamperer changes audit rows as someone with write access to the database could, bypassing the
// store's methods (and, in PostgreSQL, the trigger that refuses changes). Each store's tests
// implement it with raw SQL; failures are reported through t.
type Tamperer interface {
	// RewriteAudit overwrites every column of the stored entry (e.Tenant, e.Seq) with e's fields.
	RewriteAudit(t *testing.T, s hushpay.Store, e *hushpay.AuditEntry)
	// DeleteAudit removes the stored entry (tenant, seq).
	DeleteAudit(t *testing.T, s hushpay.Store, tenant string, seq int64)
}

// Opener returns an empty, migrated store for one test and closes it when the test ends.
type Opener func(t *testing.T) hushpay.Store

// Open opens the store at target with open (a store package's Open), failing the test when it
// cannot, and closes it when the test ends.
func Open[S hushpay.Store](t testing.TB, open func(ctx context.Context, target string) (S, error), target string) S {
	t.Helper()
	s, err := open(context.Background(), target)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Migrator is a store opened without its migrations.
type Migrator interface {
	hushpay.Store
	Migrate(ctx context.Context) ([]string, error)
}

// CheckMigrate checks a store's migrations on the empty database at target: the first Migrate
// after openWithoutMigrate applies 0001_init, a second one nothing, and open then opens the
// migrated database.
func CheckMigrate[S Migrator](t *testing.T, openWithoutMigrate, open func(ctx context.Context, target string) (S, error), target string) {
	t.Helper()
	s := Open(t, openWithoutMigrate, target)
	applied, err := s.Migrate(t.Context())
	if err != nil || len(applied) == 0 || applied[0] != "0001_init" {
		t.Fatalf("first Migrate = %v, %v; want 0001_init applied", applied, err)
	}
	applied, err = s.Migrate(t.Context())
	if err != nil || len(applied) != 0 {
		t.Fatalf("second Migrate = %v, %v; want nothing to apply", applied, err)
	}
	again, err := open(t.Context(), target)
	if err != nil {
		t.Fatalf("reopening a migrated database: %v", err)
	}
	again.Close()
}

// Run runs the conformance suite against the stores open returns.
func Run(t *testing.T, open Opener, tamper Tamperer) {
	t.Run("ping", func(t *testing.T) {
		if err := open(t).Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	})
	t.Run("payments", func(t *testing.T) { testPayments(t, open) })
	t.Run("payment lists", func(t *testing.T) { testPaymentLists(t, open) })
	t.Run("payment maintenance", func(t *testing.T) { testPaymentMaintenance(t, open) })
	t.Run("calls", func(t *testing.T) { testCalls(t, open) })
	t.Run("tokens", func(t *testing.T) { testTokens(t, open) })
	t.Run("data keys", func(t *testing.T) { testDataKeys(t, open) })
	t.Run("api keys", func(t *testing.T) { testAPIKeys(t, open) })
	t.Run("links", func(t *testing.T) { testLinks(t, open) })
	t.Run("idempotency", func(t *testing.T) { testIdempotency(t, open) })
	t.Run("audit", func(t *testing.T) { testAudit(t, open, tamper) })
}

// base is the fixtures' reference time; every fixture time is whole microseconds, the precision
// both stores keep.
var base = time.Date(2026, 11, 25, 10, 0, 0, 123456000, time.UTC)

func at(seconds int) time.Time { return base.Add(time.Duration(seconds) * time.Second) }

// equal compares stored objects: times by instant, nil and empty alike.
func equal(t *testing.T, what string, want, got any) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", what, diff)
	}
}

// wantKind fails unless err is of the wanted kind.
func wantKind(t *testing.T, what string, err error, kind hushpay.Kind) {
	t.Helper()
	if got := hushpay.KindOf(err); got != kind || err == nil {
		t.Fatalf("%s = %v (kind %v), want kind %v", what, err, got, kind)
	}
}

// must fails the test on err.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
