package postgres

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/audit"
	"github.com/hushpay/hushpay/internal/store/storetest"
	"github.com/jackc/pgx/v5"
)

func openSchema(t testing.TB) *Store {
	t.Helper()
	return storetest.Open(t, Open, storetest.PostgresURL(t))
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) hushpay.Store { return openSchema(t) }, tamperer{})
}

// tamperer edits audit rows with raw SQL, switching the append-only trigger off for the length
// of its transaction (the test user owns the table).
type tamperer struct{}

func (tamperer) RewriteAudit(t *testing.T, hs hushpay.Store, e *hushpay.AuditEntry) {
	withoutAuditTrigger(t, hs.(*Store), `UPDATE audit_entries SET time = $3, actor = $4, action = $5,
		object_type = $6, object_id = $7, details = $8, prev_hash = $9, hash = $10 WHERE tenant = $1 AND seq = $2`,
		e.Tenant, e.Seq, e.Time, e.Actor, e.Action, e.ObjectType, e.ObjectID, e.Details, e.PrevHash, e.Hash)
}

func (tamperer) DeleteAudit(t *testing.T, hs hushpay.Store, tenant string, seq int64) {
	withoutAuditTrigger(t, hs.(*Store), `DELETE FROM audit_entries WHERE tenant = $1 AND seq = $2`, tenant, seq)
}

func withoutAuditTrigger(t *testing.T, s *Store, stmt string, args ...any) {
	err := pgx.BeginFunc(t.Context(), s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(t.Context(), `ALTER TABLE audit_entries DISABLE TRIGGER USER`); err != nil {
			return err
		}
		if _, err := tx.Exec(t.Context(), stmt, args...); err != nil {
			return err
		}
		_, err := tx.Exec(t.Context(), `ALTER TABLE audit_entries ENABLE TRIGGER USER`)
		return err
	})
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

func TestAuditRowsCannotChange(t *testing.T) {
	s := openSchema(t)
	if err := audit.New(s, hushpay.SystemClock{}).Record(t.Context(), "acme", "system", "payment.created", "payment", "pay_1", nil); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE audit_entries SET actor = 'x'`,
		`DELETE FROM audit_entries`,
		`TRUNCATE audit_entries`,
	} {
		t.Run(stmt, func(t *testing.T) {
			_, err := s.pool.Exec(t.Context(), stmt)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s = %v, want the append-only trigger to refuse it", stmt, err)
			}
		})
	}
}

// TestAuditAppendsFromTwoNodes appends to one tenant's chain through two pools, as two hushpay
// nodes would, and expects one gap-free chain.
func TestAuditAppendsFromTwoNodes(t *testing.T) {
	url := storetest.PostgresURL(t)
	var nodes []*Store
	for range 2 {
		s, err := Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		nodes = append(nodes, s)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		log := audit.New(nodes[i%2], hushpay.SystemClock{})
		wg.Go(func() {
			for range 20 {
				if err := log.Record(t.Context(), "acme", "system", "payment.updated", "payment", "pay_1", nil); err != nil {
					t.Errorf("Record: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	r, err := audit.Verify(t.Context(), nodes[0])
	if err != nil || !r.OK() || r.Entries != 160 {
		t.Fatalf("Verify = %+v, %v; want 160 entries and no break", r, err)
	}
}

func TestMigrate(t *testing.T) {
	storetest.CheckMigrate(t, OpenWithoutMigrate, Open, storetest.PostgresURL(t))
}

func TestConcurrentMigrationsApplyOnce(t *testing.T) {
	url := storetest.PostgresURL(t)
	var wg sync.WaitGroup
	counts := make([]int, 4)
	for i := range counts {
		wg.Go(func() {
			s, err := OpenWithoutMigrate(t.Context(), url)
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			applied, err := s.Migrate(t.Context())
			if err != nil {
				t.Errorf("Migrate: %v", err)
			}
			counts[i] = len(applied)
		})
	}
	wg.Wait()
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != 1 {
		t.Errorf("four nodes migrating together applied %v migrations, want the one migration once", counts)
	}
}

func TestOpenRejectsBadURLWithoutEchoingIt(t *testing.T) {
	_, err := Open(t.Context(), "postgres://user:s3cretpw@[::1/db")
	if err == nil || strings.Contains(err.Error(), "s3cretpw") {
		t.Errorf("Open(bad URL) = %v, want an error that does not quote the URL", err)
	}
}

func TestDump(t *testing.T) {
	s := openSchema(t)
	p := &hushpay.Payment{ID: "pay_dump", Tenant: "acme", State: hushpay.PaymentCreated, Reference: "ref-dump-1", CreatedAt: time.Now()}
	if err := s.CreatePayment(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.Dump(t.Context(), &buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-- table payments\n", "-- table audit_entries\n", "ref-dump-1"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the dump has no %q", want)
		}
	}
}

func BenchmarkCreateUpdatePayment(b *testing.B) {
	storetest.BenchCreateUpdatePayment(b, openSchema(b))
}
