package processortest

import (
	"context"
	"errors"
	"testing"

	"github.com/hushpay/hushpay/internal/processor"
)

// testRefunds checks a Refunder: full and partial refunds up to the charged amount, over-refunds
// and unknown charges rejected, idempotent replays.
func testRefunds(t *testing.T, p processor.Processor) {
	r, ok := p.(processor.Refunder)
	if !ok {
		t.Skipf("%s does not implement processor.Refunder", p.Name())
	}
	charge := func(t *testing.T, amount int64) string {
		t.Helper()
		res, err := p.Authorize(context.Background(), CardRequest("4242424242424242", amount))
		if err != nil || !res.Approved {
			t.Fatalf("Authorize: result %+v, error %v", res, err)
		}
		return res.Reference
	}
	refund := func(ref string, amount int64) (*processor.RefundResult, error) {
		return r.Refund(context.Background(), &processor.RefundRequest{
			IdempotencyKey: NewKey(), Reference: ref, Amount: amount, Currency: "USD",
		})
	}

	t.Run("full refund", func(t *testing.T) {
		ref := charge(t, 5000)
		res, err := refund(ref, 5000)
		if err != nil || res.Reference == "" {
			t.Fatalf("Refund: result %+v, error %v", res, err)
		}
		_, err = refund(ref, 1)
		wantCode(t, err, processor.CodeAmountTooLarge, processor.ErrRejected)
	})
	t.Run("partial refunds up to the charge", func(t *testing.T) {
		ref := charge(t, 5000)
		for _, amount := range []int64{1000, 2500, 1500} {
			if _, err := refund(ref, amount); err != nil {
				t.Fatalf("Refund of %d: %v", amount, err)
			}
		}
		_, err := refund(ref, 1)
		wantCode(t, err, processor.CodeAmountTooLarge, processor.ErrRejected)
	})
	t.Run("over-refund is rejected and refunds nothing", func(t *testing.T) {
		ref := charge(t, 5000)
		_, err := refund(ref, 5001)
		wantCode(t, err, processor.CodeAmountTooLarge, processor.ErrRejected)
		if _, err := refund(ref, 5000); err != nil {
			t.Fatalf("full refund after a rejected over-refund: %v", err)
		}
	})
	t.Run("unknown charge is rejected", func(t *testing.T) {
		_, err := refund("ch_unknown_"+NewKey(), 100)
		wantCode(t, err, processor.CodeChargeNotFound, processor.ErrRejected)
	})
	t.Run("a replayed idempotency key refunds once", func(t *testing.T) {
		ref := charge(t, 5000)
		req := &processor.RefundRequest{IdempotencyKey: NewKey(), Reference: ref, Amount: 3000, Currency: "USD"}
		first, err := r.Refund(context.Background(), req)
		if err != nil {
			t.Fatalf("Refund: %v", err)
		}
		again, err := r.Refund(context.Background(), req)
		if err != nil || *again != *first {
			t.Fatalf("replayed Refund: result %+v, error %v; want %+v", again, err, first)
		}
		if _, err := refund(ref, 2000); err != nil {
			t.Fatalf("refund of the rest after a replay: %v", err)
		}
	})
	t.Run("malformed refunds are rejected", func(t *testing.T) {
		ref := charge(t, 5000)
		for _, req := range []*processor.RefundRequest{
			{IdempotencyKey: "", Reference: ref, Amount: 100, Currency: "USD"},
			{IdempotencyKey: NewKey(), Reference: "", Amount: 100, Currency: "USD"},
			{IdempotencyKey: NewKey(), Reference: ref, Amount: 0, Currency: "USD"},
			{IdempotencyKey: NewKey(), Reference: ref, Amount: 100, Currency: "dollars"},
		} {
			_, err := r.Refund(context.Background(), req)
			wantCode(t, err, processor.CodeInvalidRequest, processor.ErrInvalidRequest)
		}
	})
}

// testACH checks bank debits, unless the connector answers method_not_supported.
func testACH(t *testing.T, p processor.Processor) {
	for _, acct := range BankAccounts() {
		t.Run(acct.Name, func(t *testing.T) {
			req := BankRequest(acct.Account, 1500)
			res, err := p.Authorize(context.Background(), req)
			if processor.CodeOf(err) == processor.CodeMethodNotSupported {
				t.Skipf("%s does not support ACH", p.Name())
			}
			checkNoCardData(t, req, res, err)
			checkOutcome(t, acct.Code, res, err)
		})
	}
}

// testSaved checks an InstrumentSaver: a saved card charges without card data, only for the
// tenant that saved it, and keeps its outcome.
func testSaved(t *testing.T, p processor.Processor) {
	s, ok := p.(processor.InstrumentSaver)
	if !ok {
		t.Skipf("%s does not implement processor.InstrumentSaver", p.Name())
	}
	save := func(t *testing.T, number string) *processor.SavedInstrument {
		t.Helper()
		c := CardRequest(number, 1).Card
		saved, err := s.SaveInstrument(context.Background(), &processor.SaveRequest{
			IdempotencyKey: NewKey(), Tenant: "tenant_conformance", Card: c,
		})
		if err != nil {
			t.Fatalf("SaveInstrument: %v", err)
		}
		if saved.Reference == "" || saved.Last4 != number[len(number)-4:] {
			t.Fatalf("saved instrument %+v lacks a reference or the last four digits", saved)
		}
		return saved
	}
	chargeSaved := func(tenant, ref string) (*processor.Result, error) {
		req := CardRequest("4242424242424242", 1200)
		req.Card, req.Saved, req.Tenant = nil, ref, tenant
		return p.Authorize(context.Background(), req)
	}

	t.Run("a saved card charges", func(t *testing.T) {
		saved := save(t, "4242424242424242")
		res, err := chargeSaved("tenant_conformance", saved.Reference)
		checkOutcome(t, processor.CodeApproved, res, err)
	})
	t.Run("another tenant cannot charge it", func(t *testing.T) {
		saved := save(t, "4242424242424242")
		_, err := chargeSaved("tenant_other", saved.Reference)
		wantCode(t, err, processor.CodeInstrumentNotFound, processor.ErrRejected)
	})
	t.Run("a card that saves but declines its charges", func(t *testing.T) {
		saved := save(t, "4000000000000341")
		res, err := chargeSaved("tenant_conformance", saved.Reference)
		checkOutcome(t, processor.CodeCardDeclined, res, err)
	})
}

// wantCode fails the test unless err is a *processor.Error with the code, of the class.
func wantCode(t *testing.T, err error, code string, class error) {
	t.Helper()
	var perr *processor.Error
	if !errors.As(err, &perr) || perr.Code != code || !errors.Is(err, class) {
		t.Fatalf("got error %v, want a *processor.Error %q wrapping %v", err, code, class)
	}
}
