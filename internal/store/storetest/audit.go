package storetest

import (
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/audit"
)

// fixedClock tells the fixtures' time.
type fixedClock struct{}

func (fixedClock) Now() time.Time { return at(0) }

func record(t *testing.T, l *audit.Log, tenant string, n int) {
	t.Helper()
	for i := range n {
		err := l.Record(t.Context(), tenant, "apikey:hpk_1", "payment.created", "payment", fmt.Sprintf("pay_%d", i),
			map[string]string{"amount": fmt.Sprint(100 + i), "currency": "EUR"})
		must(t, "Record", err)
	}
}

func testAudit(t *testing.T, open Opener, tamper Tamperer) {
	t.Run("entries list in order after a sequence number", func(t *testing.T) {
		s := open(t)
		l := audit.New(s, fixedClock{})
		record(t, l, "acme", 5)
		record(t, l, "globex", 2)
		es, err := s.ListAudit(t.Context(), "acme", 2, 2)
		must(t, "ListAudit", err)
		if len(es) != 2 || es[0].Seq != 3 || es[1].Seq != 4 {
			t.Fatalf("ListAudit after 2, limit 2 = %v, want entries 3 and 4", seqs(es))
		}
		want := &hushpay.AuditEntry{Tenant: "acme", Seq: 3, Time: at(0), Actor: "apikey:hpk_1", Action: "payment.created",
			ObjectType: "payment", ObjectID: "pay_2", Details: map[string]string{"amount": "102", "currency": "EUR"},
			PrevHash: es[0].PrevHash, Hash: es[0].Hash}
		equal(t, "entry 3", want, es[0])
		tenants, err := s.AuditTenants(t.Context())
		must(t, "AuditTenants", err)
		equal(t, "tenants with a chain", []string{"acme", "globex"}, tenants)
		r, err := audit.Verify(t.Context(), s)
		must(t, "Verify", err)
		if !r.OK() || r.Entries != 7 {
			t.Errorf("Verify = %+v, want 7 entries and no break", r)
		}
	})
	t.Run("a failing seal stores nothing", func(t *testing.T) {
		s := open(t)
		refuse := errors.New("refused")
		e := &hushpay.AuditEntry{Tenant: "acme", Time: at(0), Action: "x"}
		err := s.AppendAudit(t.Context(), []*hushpay.AuditEntry{e}, func(prev, e *hushpay.AuditEntry) error { return refuse })
		if !errors.Is(err, refuse) {
			t.Errorf("AppendAudit = %v, want the seal's error", err)
		}
		es, err := s.ListAudit(t.Context(), "acme", 0, 10)
		must(t, "ListAudit", err)
		if len(es) != 0 {
			t.Errorf("a refused entry was stored")
		}
	})
	t.Run("a batch appends in order in one transaction, or not at all", func(t *testing.T) {
		s := open(t)
		record(t, audit.New(s, fixedClock{}), "acme", 1)
		batch := func(ids ...string) []*hushpay.AuditEntry {
			var es []*hushpay.AuditEntry
			for _, id := range ids {
				es = append(es, &hushpay.AuditEntry{Tenant: "acme", Time: at(0), Actor: "system", Action: "payment.updated", ObjectType: "payment", ObjectID: id})
			}
			return es
		}
		must(t, "AppendAudit", s.AppendAudit(t.Context(), batch("pay_a", "pay_b", "pay_c"), audit.Seal))
		refuse := errors.New("refused")
		calls := 0
		failSecond := func(prev, e *hushpay.AuditEntry) error {
			if calls++; calls == 2 {
				return refuse
			}
			return audit.Seal(prev, e)
		}
		if err := s.AppendAudit(t.Context(), batch("pay_d", "pay_e"), failSecond); !errors.Is(err, refuse) {
			t.Errorf("AppendAudit with a failing seal = %v", err)
		}
		mixed := append(batch("pay_f"), &hushpay.AuditEntry{Tenant: "globex", Time: at(0), Action: "x"})
		if err := s.AppendAudit(t.Context(), mixed, audit.Seal); hushpay.KindOf(err) != hushpay.KindInvalid {
			t.Errorf("AppendAudit of two tenants = %v, want KindInvalid", err)
		}
		es, err := s.ListAudit(t.Context(), "acme", 0, 10)
		must(t, "ListAudit", err)
		if len(es) != 4 || es[1].ObjectID != "pay_a" || es[3].ObjectID != "pay_c" || es[3].Seq != 4 {
			t.Fatalf("chain after batches = %v, want 4 entries ending pay_a..pay_c", seqs(es))
		}
		r, err := audit.Verify(t.Context(), s)
		must(t, "Verify", err)
		if !r.OK() {
			t.Errorf("Verify after batches: %v", r)
		}
	})
	t.Run("concurrent appends make gap-free valid chains", func(t *testing.T) {
		s := open(t)
		l := audit.New(s, hushpay.SystemClock{})
		const writers, each = 8, 15
		var wg sync.WaitGroup
		for w := range writers {
			for _, tenant := range []string{"acme", "globex"} {
				wg.Go(func() {
					for i := range each {
						err := l.Record(t.Context(), tenant, fmt.Sprintf("writer-%d", w), "payment.updated", "payment", fmt.Sprint(i), nil)
						if err != nil {
							t.Errorf("Record: %v", err)
							return
						}
					}
				})
			}
		}
		wg.Wait()
		r, err := audit.Verify(t.Context(), s)
		must(t, "Verify", err)
		if !r.OK() || r.Entries != 2*writers*each {
			t.Fatalf("Verify = %+v, want %d entries and no break", r, 2*writers*each)
		}
		for _, h := range r.Heads {
			if h.Seq != writers*each {
				t.Errorf("tenant %s ends at entry %d, want %d", h.Tenant, h.Seq, writers*each)
			}
		}
	})
	t.Run("verify names tampered entries", func(t *testing.T) { testTamper(t, open, tamper) })
}

func testTamper(t *testing.T, open Opener, tamper Tamperer) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, s hushpay.Store, e *hushpay.AuditEntry) // e is acme's entry 3
		want   audit.Break
	}{
		{
			name: "an edited detail",
			tamper: func(t *testing.T, s hushpay.Store, e *hushpay.AuditEntry) {
				e.Details = maps.Clone(e.Details)
				e.Details["amount"] = "1"
				tamper.RewriteAudit(t, s, e)
			},
			want: audit.Break{Tenant: "acme", Seq: 3, Want: 3, Problem: audit.HashMismatch},
		},
		{
			name: "a rewritten entry with a fresh hash",
			tamper: func(t *testing.T, s hushpay.Store, e *hushpay.AuditEntry) {
				e.Actor = "someone else"
				e.Hash = audit.Hash(e)
				tamper.RewriteAudit(t, s, e)
			},
			want: audit.Break{Tenant: "acme", Seq: 4, Want: 4, Problem: audit.PrevLinkMismatch},
		},
		{
			name: "a removed entry",
			tamper: func(t *testing.T, s hushpay.Store, e *hushpay.AuditEntry) {
				tamper.DeleteAudit(t, s, e.Tenant, e.Seq)
			},
			want: audit.Break{Tenant: "acme", Seq: 4, Want: 3, Problem: audit.SeqGap},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			l := audit.New(s, fixedClock{})
			record(t, l, "acme", 5)
			record(t, l, "globex", 5)
			es, err := s.ListAudit(t.Context(), "acme", 2, 1)
			must(t, "ListAudit", err)
			tt.tamper(t, s, es[0])
			r, err := audit.Verify(t.Context(), s)
			must(t, "Verify", err)
			if len(r.Breaks) != 1 || r.Breaks[0] != tt.want {
				t.Errorf("Verify found %+v, want only %+v", r.Breaks, tt.want)
			}
		})
	}
}

func seqs(es []*hushpay.AuditEntry) []int64 {
	var s []int64
	for _, e := range es {
		s = append(s, e.Seq)
	}
	return s
}
