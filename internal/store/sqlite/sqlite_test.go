package sqlite

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
	"github.com/hushpay/hushpay/internal/store/storetest"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	return storetest.Open(t, Open, filepath.Join(t.TempDir(), "hushpay.db"))
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) hushpay.Store { return openTemp(t) }, tamperer{})
}

// tamperer edits audit rows with raw SQL. SQLite cannot switch a trigger off, so it drops the
// append-only triggers of that (throw-away) database first, as an attacker with the file could.
type tamperer struct{}

func (tamperer) RewriteAudit(t *testing.T, hs hushpay.Store, e *hushpay.AuditEntry) {
	s := hs.(*Store)
	details, err := json.Marshal(e.Details)
	if err != nil {
		t.Fatal(err)
	}
	dropAuditTriggers(t, s)
	_, err = s.writer.ExecContext(t.Context(), `UPDATE audit_entries SET time = ?, actor = ?, action = ?,
		object_type = ?, object_id = ?, details = ?, prev_hash = ?, hash = ? WHERE tenant = ? AND seq = ?`,
		sqlstore.Micros(e.Time), e.Actor, e.Action, e.ObjectType, e.ObjectID, details, e.PrevHash, e.Hash, e.Tenant, e.Seq)
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

func (tamperer) DeleteAudit(t *testing.T, hs hushpay.Store, tenant string, seq int64) {
	s := hs.(*Store)
	dropAuditTriggers(t, s)
	if _, err := s.writer.ExecContext(t.Context(), `DELETE FROM audit_entries WHERE tenant = ? AND seq = ?`, tenant, seq); err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

func dropAuditTriggers(t *testing.T, s *Store) {
	_, err := s.writer.ExecContext(t.Context(), `DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete`)
	if err != nil {
		t.Fatalf("drop triggers: %v", err)
	}
}

func TestAuditRowsCannotChange(t *testing.T) {
	s := openTemp(t)
	e := &hushpay.AuditEntry{Tenant: "acme", Time: time.Now(), Action: "payment.created"}
	err := s.AppendAudit(t.Context(), []*hushpay.AuditEntry{e}, func(_, e *hushpay.AuditEntry) error { e.Seq, e.Hash = 1, []byte{1}; return nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE audit_entries SET actor = 'x'`,
		`DELETE FROM audit_entries`,
	} {
		t.Run(stmt, func(t *testing.T) {
			_, err := s.writer.ExecContext(t.Context(), stmt)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s = %v, want the append-only trigger to refuse it", stmt, err)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	storetest.CheckMigrate(t, OpenWithoutMigrate, Open, filepath.Join(t.TempDir(), "hushpay.db"))
}

func TestPragmas(t *testing.T) {
	s := openTemp(t)
	tests := []struct{ db, pragma, want string }{
		{"writer", "journal_mode", "wal"},
		{"writer", "synchronous", "1"}, // NORMAL
		{"writer", "foreign_keys", "1"},
		{"writer", "busy_timeout", fmt.Sprint(busyTimeoutMillis)},
		{"reader", "foreign_keys", "1"},
		{"reader", "query_only", "1"},
		{"reader", "busy_timeout", fmt.Sprint(busyTimeoutMillis)},
	}
	for _, tt := range tests {
		t.Run(tt.db+" "+tt.pragma, func(t *testing.T) {
			db := s.writer
			if tt.db == "reader" {
				db = s.reader
			}
			var got string
			if err := db.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s = %s, want %s", tt.pragma, got, tt.want)
			}
		})
	}
}

// TestTwoStoresOnOneFile shows that two stores (as two processes would) write the same file
// concurrently without a busy error reaching the caller.
func TestTwoStoresOnOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hushpay.db")
	a, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var wg sync.WaitGroup
	for i, s := range []*Store{a, b, a, b} {
		wg.Go(func() {
			for j := range 25 {
				p := &hushpay.Payment{ID: fmt.Sprintf("pay_%d_%d", i, j), Tenant: "acme", State: hushpay.PaymentCreated, CreatedAt: time.Now()}
				if err := s.CreatePayment(t.Context(), p); err != nil {
					t.Errorf("CreatePayment: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	page, err := a.ListPayments(t.Context(), "acme", hushpay.PaymentFilter{Limit: 100})
	if err != nil || len(page.Data) != 100 {
		t.Errorf("listed %d payments (%v), want 100", len(page.Data), err)
	}
}

func TestOpenRejectsEmptyPath(t *testing.T) {
	if _, err := Open(t.Context(), ""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
}

func BenchmarkCreateUpdatePayment(b *testing.B) {
	storetest.BenchCreateUpdatePayment(b, openTemp(b))
}
