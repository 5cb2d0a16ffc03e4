package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
)

// newPayment returns a capturing card payment of tenant created at the given time.
func newPayment(tenant, id string, created time.Time) *hushpay.Payment {
	return &hushpay.Payment{
		ID: id, Tenant: tenant, State: hushpay.PaymentCapturing,
		Amount: 1999, Currency: "EUR", Reference: "order-" + id, Description: "Test order",
		Method: hushpay.MethodCard, CallID: "call_" + id, Capture: hushpay.DefaultCapture(hushpay.MethodCard),
		CurrentField: hushpay.FieldCardNumber,
		Fields: map[hushpay.FieldName]hushpay.Field{
			hushpay.FieldCardNumber:   {State: hushpay.FieldPartial, Length: 6, Brand: "visa"},
			hushpay.FieldExpiry:       {State: hushpay.FieldEmpty},
			hushpay.FieldSecurityCode: {State: hushpay.FieldEmpty},
		},
		AcceptedBrands: []string{"visa", "mastercard"},
		Processor:      "sandbox",
		Metadata:       map[string]string{"crm": "case-77"},
		CreatedAt:      created, UpdatedAt: created, ExpiresAt: created.Add(15 * time.Minute),
		Version: 1,
	}
}

func testPayments(t *testing.T, open Opener) {
	t.Run("create then get returns the same payment", func(t *testing.T) {
		s := open(t)
		p := newPayment("acme", "pay_1", at(0))
		must(t, "CreatePayment", s.CreatePayment(t.Context(), p))
		got, err := s.GetPayment(t.Context(), "acme", "pay_1")
		must(t, "GetPayment", err)
		equal(t, "stored payment", p, got)
	})
	t.Run("creating an existing payment is a conflict", func(t *testing.T) {
		s := open(t)
		must(t, "CreatePayment", s.CreatePayment(t.Context(), newPayment("acme", "pay_1", at(0))))
		err := s.CreatePayment(t.Context(), newPayment("acme", "pay_1", at(5)))
		wantKind(t, "CreatePayment again", err, hushpay.KindConflict)
		got, _ := s.GetPayment(t.Context(), "acme", "pay_1")
		if got == nil || !got.CreatedAt.Equal(at(0)) {
			t.Errorf("the duplicate replaced the stored payment")
		}
	})
	t.Run("another tenant's payment is not found", func(t *testing.T) {
		s := open(t)
		must(t, "CreatePayment", s.CreatePayment(t.Context(), newPayment("acme", "pay_1", at(0))))
		_, err := s.GetPayment(t.Context(), "globex", "pay_1")
		wantKind(t, "GetPayment of another tenant", err, hushpay.KindNotFound)
		_, err = s.GetPayment(t.Context(), "acme", "pay_missing")
		wantKind(t, "GetPayment of a missing id", err, hushpay.KindNotFound)
		other := newPayment("globex", "pay_1", at(0))
		wantKind(t, "UpdatePayment of another tenant", s.UpdatePayment(t.Context(), other), hushpay.KindNotFound)
	})
	t.Run("update at the stored version writes and increments it", func(t *testing.T) {
		s := open(t)
		p := newPayment("acme", "pay_1", at(0))
		must(t, "CreatePayment", s.CreatePayment(t.Context(), p))
		p.State = hushpay.PaymentSucceeded
		p.Fields[hushpay.FieldCardNumber] = hushpay.Field{State: hushpay.FieldComplete, Length: 16, Brand: "visa", Last4: "4242"}
		p.Outcome = &hushpay.Outcome{Code: hushpay.OutcomeApproved, Message: "Approved", ProcessorReference: "sbx_1"}
		p.TokenID = "tok_1"
		p.UpdatedAt = at(30)
		must(t, "UpdatePayment", s.UpdatePayment(t.Context(), p))
		if p.Version != 2 {
			t.Errorf("the argument's version is %d after the update, want 2", p.Version)
		}
		got, err := s.GetPayment(t.Context(), "acme", "pay_1")
		must(t, "GetPayment", err)
		equal(t, "updated payment", p, got)
	})
	t.Run("update at a stale version is a conflict and changes nothing", func(t *testing.T) {
		s := open(t)
		p := newPayment("acme", "pay_1", at(0))
		must(t, "CreatePayment", s.CreatePayment(t.Context(), p))
		stale := p.Clone()
		p.Amount = 2500
		must(t, "UpdatePayment", s.UpdatePayment(t.Context(), p))
		stale.State = hushpay.PaymentCancelled
		wantKind(t, "UpdatePayment at a stale version", s.UpdatePayment(t.Context(), stale), hushpay.KindConflict)
		if stale.Version != 1 {
			t.Errorf("a failed update changed the argument's version to %d", stale.Version)
		}
		got, err := s.GetPayment(t.Context(), "acme", "pay_1")
		must(t, "GetPayment", err)
		equal(t, "payment after the refused update", p, got)
	})
	t.Run("of concurrent updates at one version exactly one wins", func(t *testing.T) {
		s := open(t)
		p := newPayment("acme", "pay_1", at(0))
		must(t, "CreatePayment", s.CreatePayment(t.Context(), p))
		var wg sync.WaitGroup
		results := make([]error, 8)
		for i := range results {
			c := p.Clone()
			c.Description = fmt.Sprintf("writer %d", i)
			wg.Go(func() { results[i] = s.UpdatePayment(t.Context(), c) })
		}
		wg.Wait()
		wins := 0
		for _, err := range results {
			switch {
			case err == nil:
				wins++
			case !hushpay.IsConflict(err):
				t.Errorf("a losing update failed with %v, want a conflict", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d concurrent updates won, want exactly 1", wins)
		}
	})
	t.Run("errors do not echo stored values", func(t *testing.T) {
		s := open(t)
		p := newPayment("acme", "pay_secretvalue", at(0))
		p.Reference = "ref-secretvalue"
		must(t, "CreatePayment", s.CreatePayment(t.Context(), p))
		err := s.CreatePayment(t.Context(), p)
		wantKind(t, "CreatePayment again", err, hushpay.KindConflict)
		if strings.Contains(err.Error(), "secretvalue") {
			t.Errorf("the error %q holds a value of the payment", err)
		}
	})
}

func testPaymentLists(t *testing.T, open Opener) {
	t.Run("pages are newest first and cover every payment once", func(t *testing.T) {
		s := open(t)
		var want []string
		for i := range 25 {
			// Two payments per second from the third on: ties break by ID, descending.
			p := newPayment("acme", fmt.Sprintf("pay_%02d", i), at(max(i, 2)/2))
			must(t, "CreatePayment", s.CreatePayment(t.Context(), p))
			want = append([]string{p.ID}, want...)
		}
		must(t, "CreatePayment other tenant", s.CreatePayment(t.Context(), newPayment("globex", "pay_99", at(100))))
		got := listAllPayments(t, s, hushpay.PaymentFilter{Limit: 10}, []int{10, 10, 5})
		equal(t, "payment IDs over every page", want, got)
	})
	t.Run("limit defaults to 20 and is capped at 100", func(t *testing.T) {
		s := open(t)
		for i := range 101 {
			must(t, "CreatePayment", s.CreatePayment(t.Context(), newPayment("acme", fmt.Sprintf("pay_%03d", i), at(i))))
		}
		for _, tt := range []struct{ limit, want int }{{0, 20}, {-1, 20}, {100, 100}, {1000, 100}} {
			page, err := s.ListPayments(t.Context(), "acme", hushpay.PaymentFilter{Limit: tt.limit})
			must(t, "ListPayments", err)
			if len(page.Data) != tt.want || !page.HasMore || page.NextCursor == "" {
				t.Errorf("limit %d: %d payments, has_more %v, cursor %q; want %d, true and a cursor",
					tt.limit, len(page.Data), page.HasMore, page.NextCursor, tt.want)
			}
		}
	})
	t.Run("filters select by call, state and reference", func(t *testing.T) {
		s := open(t)
		p1 := newPayment("acme", "pay_1", at(1))
		p2 := newPayment("acme", "pay_2", at(2))
		p2.CallID, p2.Reference = p1.CallID, "order-shared"
		p3 := newPayment("acme", "pay_3", at(3))
		p3.State, p3.Reference = hushpay.PaymentSucceeded, "order-shared"
		p4 := newPayment("globex", "pay_4", at(4))
		p4.CallID, p4.Reference = p1.CallID, "order-shared"
		for _, p := range []*hushpay.Payment{p1, p2, p3, p4} {
			must(t, "CreatePayment", s.CreatePayment(t.Context(), p))
		}
		tests := []struct {
			name   string
			filter hushpay.PaymentFilter
			want   []string
		}{
			{"no filter lists the tenant's payments", hushpay.PaymentFilter{}, []string{"pay_3", "pay_2", "pay_1"}},
			{"by call", hushpay.PaymentFilter{CallID: p1.CallID}, []string{"pay_2", "pay_1"}},
			{"by state", hushpay.PaymentFilter{State: hushpay.PaymentSucceeded}, []string{"pay_3"}},
			{"by reference", hushpay.PaymentFilter{Reference: "order-shared"}, []string{"pay_3", "pay_2"}},
			{"by reference and state", hushpay.PaymentFilter{Reference: "order-shared", State: hushpay.PaymentCapturing}, []string{"pay_2"}},
			{"nothing matches", hushpay.PaymentFilter{CallID: "call_none"}, nil},
			{"filtered pages", hushpay.PaymentFilter{State: hushpay.PaymentCapturing, Limit: 1}, []string{"pay_2", "pay_1"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				equal(t, "payment IDs", tt.want, listAllPayments(t, s, tt.filter, nil))
			})
		}
	})
	t.Run("a malformed cursor is invalid", func(t *testing.T) {
		s := open(t)
		_, err := s.ListPayments(t.Context(), "acme", hushpay.PaymentFilter{Cursor: "not a cursor"})
		wantKind(t, "ListPayments with a bad cursor", err, hushpay.KindInvalid)
	})
}

// listAllPayments follows the cursors to the end and returns the IDs in order; when sizes is
// given, the pages must have those lengths.
func listAllPayments(t *testing.T, s hushpay.Store, f hushpay.PaymentFilter, sizes []int) []string {
	t.Helper()
	var ids []string
	for n := 0; ; n++ {
		page, err := s.ListPayments(t.Context(), "acme", f)
		must(t, "ListPayments", err)
		for _, p := range page.Data {
			ids = append(ids, p.ID)
		}
		checkPage(t, n, len(page.Data), page.HasMore, page.NextCursor, sizes)
		if !page.HasMore {
			return ids
		}
		if n > 200 {
			t.Fatal("the pages never end")
		}
		f.Cursor = page.NextCursor
	}
}

func checkPage(t *testing.T, n, size int, more bool, cursor string, sizes []int) {
	t.Helper()
	if more != (cursor != "") {
		t.Errorf("page %d: has_more %v with cursor %q", n, more, cursor)
	}
	if sizes == nil {
		return
	}
	if n >= len(sizes) || size != sizes[n] {
		t.Errorf("page %d has %d items, want page sizes %v", n, size, sizes)
	}
	if last := n == len(sizes)-1; more == last {
		t.Errorf("page %d: has_more %v, want %v", n, more, !last)
	}
}

func testPaymentMaintenance(t *testing.T, open Opener) {
	t.Run("expiring lists non-final payments past expiry, oldest first", func(t *testing.T) {
		s := open(t)
		now := at(3600)
		add := func(tenant, id string, expires time.Time, state hushpay.PaymentState) {
			p := newPayment(tenant, id, at(0))
			p.ExpiresAt, p.State = expires, state
			must(t, "CreatePayment", s.CreatePayment(t.Context(), p))
		}
		add("acme", "pay_late", now.Add(-time.Minute), hushpay.PaymentReady)
		add("globex", "pay_early", now.Add(-time.Hour), hushpay.PaymentCreated)
		add("acme", "pay_mid", now.Add(-10*time.Minute), hushpay.PaymentCapturing)
		add("acme", "pay_future", now.Add(time.Minute), hushpay.PaymentCapturing)
		for _, st := range hushpay.PaymentStates {
			if st.Final() {
				add("acme", "pay_"+string(st), now.Add(-2*time.Hour), st)
			}
		}
		got, err := s.ListExpiring(t.Context(), now, 10)
		must(t, "ListExpiring", err)
		equal(t, "expiring payment IDs", []string{"pay_early", "pay_mid", "pay_late"}, paymentIDs(got))
		got, err = s.ListExpiring(t.Context(), now, 2)
		must(t, "ListExpiring", err)
		equal(t, "expiring payment IDs with limit 2", []string{"pay_early", "pay_mid"}, paymentIDs(got))
	})
	t.Run("by reference lists the tenant's payments with that reference", func(t *testing.T) {
		s := open(t)
		for i, tenant := range []string{"acme", "acme", "globex", "acme"} {
			p := newPayment(tenant, fmt.Sprintf("pay_%d", i), at(i))
			if i < 3 {
				p.Reference = "caller-42"
			}
			must(t, "CreatePayment", s.CreatePayment(t.Context(), p))
		}
		got, err := s.ListByReference(t.Context(), "acme", "caller-42")
		must(t, "ListByReference", err)
		equal(t, "payment IDs", []string{"pay_1", "pay_0"}, paymentIDs(got))
	})
	t.Run("retention deletes final payments created before the cut", func(t *testing.T) {
		s := open(t)
		cut := at(1000)
		add := func(tenant, id string, created time.Time, state hushpay.PaymentState) {
			p := newPayment(tenant, id, created)
			p.State = state
			must(t, "CreatePayment", s.CreatePayment(t.Context(), p))
		}
		add("acme", "pay_old_done", cut.Add(-time.Second), hushpay.PaymentSucceeded)
		add("globex", "pay_old_declined", at(0), hushpay.PaymentDeclined)
		add("acme", "pay_old_open", at(0), hushpay.PaymentCapturing)
		add("acme", "pay_new_done", cut, hushpay.PaymentSucceeded)
		n, err := s.DeletePaymentsBefore(t.Context(), cut)
		must(t, "DeletePaymentsBefore", err)
		if n != 2 {
			t.Errorf("DeletePaymentsBefore deleted %d payments, want 2", n)
		}
		for _, gone := range []struct{ tenant, id string }{{"acme", "pay_old_done"}, {"globex", "pay_old_declined"}} {
			_, err := s.GetPayment(t.Context(), gone.tenant, gone.id)
			wantKind(t, "GetPayment of a deleted payment", err, hushpay.KindNotFound)
		}
		for _, kept := range []string{"pay_old_open", "pay_new_done"} {
			_, err := s.GetPayment(t.Context(), "acme", kept)
			must(t, "GetPayment of a kept payment", err)
		}
	})
}

func paymentIDs(ps []*hushpay.Payment) []string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}
