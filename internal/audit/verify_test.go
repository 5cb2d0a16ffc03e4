package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
)

func TestVerifyIntactChains(t *testing.T) {
	store := newMemStore()
	l := New(store, fixedClock{testTime})
	recordN(t, l, "acme", 250) // more than one page
	recordN(t, l, "globex", 3)
	r, err := Verify(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Entries != 253 {
		t.Fatalf("Verify = %+v, want 253 entries and no break", r)
	}
	if len(r.Heads) != 2 || r.Heads[0].Seq != 250 || r.Heads[1].Seq != 3 {
		t.Errorf("heads = %+v, want acme at 250 and globex at 3", r.Heads)
	}
	if want := "audit trail intact: 253 entries in 2 tenants"; !strings.HasPrefix(r.String(), want) {
		t.Errorf("the report begins %q, want %q", r.String(), want)
	}
}

func TestVerifyReadsPastShortPages(t *testing.T) {
	store := newMemStore()
	store.maxPage = 7
	recordN(t, New(store, fixedClock{testTime}), "acme", 30)
	store.entries["acme"][25].Details["amount"] = "1"
	r, err := Verify(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Break{Tenant: "acme", Seq: 26, Want: 26, Problem: HashMismatch}); len(r.Breaks) != 1 || r.Breaks[0] != want {
		t.Errorf("breaks = %+v, want only %+v", r.Breaks, want)
	}
}

func TestVerifyEmptyStore(t *testing.T) {
	r, err := Verify(context.Background(), newMemStore())
	if err != nil || !r.OK() || r.Entries != 0 {
		t.Errorf("Verify(empty) = %+v, %v", r, err)
	}
}

func TestVerifyNamesFirstBrokenEntry(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(chain []*hushpay.AuditEntry) []*hushpay.AuditEntry
		want   Break
	}{
		{
			name: "an edited detail is a hash mismatch",
			tamper: func(c []*hushpay.AuditEntry) []*hushpay.AuditEntry {
				c[2].Details["amount"] = "1"
				return c
			},
			want: Break{Tenant: "acme", Seq: 3, Want: 3, Problem: HashMismatch},
		},
		{
			name: "an edited time is a hash mismatch",
			tamper: func(c []*hushpay.AuditEntry) []*hushpay.AuditEntry {
				c[0].Time = c[0].Time.Add(-time1h)
				return c
			},
			want: Break{Tenant: "acme", Seq: 1, Want: 1, Problem: HashMismatch},
		},
		{
			name: "a rewritten entry with a fresh hash breaks the next link",
			tamper: func(c []*hushpay.AuditEntry) []*hushpay.AuditEntry {
				c[1].Actor = "someone else"
				c[1].Hash = Hash(c[1])
				return c
			},
			want: Break{Tenant: "acme", Seq: 3, Want: 3, Problem: PrevLinkMismatch},
		},
		{
			name: "a removed entry is a gap",
			tamper: func(c []*hushpay.AuditEntry) []*hushpay.AuditEntry {
				return append(c[:1], c[2:]...)
			},
			want: Break{Tenant: "acme", Seq: 3, Want: 2, Problem: SeqGap},
		},
		{
			name: "a removed first entry is a gap",
			tamper: func(c []*hushpay.AuditEntry) []*hushpay.AuditEntry {
				return c[1:]
			},
			want: Break{Tenant: "acme", Seq: 2, Want: 1, Problem: SeqGap},
		},
		{
			name: "swapped entries break the link",
			tamper: func(c []*hushpay.AuditEntry) []*hushpay.AuditEntry {
				c[1].Seq, c[2].Seq = c[2].Seq, c[1].Seq
				c[1], c[2] = c[2], c[1]
				return c
			},
			want: Break{Tenant: "acme", Seq: 2, Want: 2, Problem: PrevLinkMismatch},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemStore()
			l := New(store, fixedClock{testTime})
			recordN(t, l, "acme", 5)
			recordN(t, l, "globex", 2)
			store.entries["acme"] = tt.tamper(store.entries["acme"])
			r, err := Verify(context.Background(), store)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Breaks) != 1 || r.Breaks[0] != tt.want {
				t.Fatalf("breaks = %+v, want only %+v", r.Breaks, tt.want)
			}
			if r.OK() {
				t.Error("OK() is true for a broken chain")
			}
			for _, want := range []string{"BROKEN", `tenant "acme", entry`, `tenant "globex": last good entry 2`} {
				if !strings.Contains(r.String(), want) {
					t.Errorf("the report does not say %q:\n%s", want, r)
				}
			}
		})
	}
}
