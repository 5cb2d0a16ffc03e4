package sandbox_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hushpay/hushpay/internal/processor"
	"github.com/hushpay/hushpay/internal/processor/processortest"
	"github.com/hushpay/hushpay/internal/processor/sandbox"
)

func TestConformance(t *testing.T) {
	processortest.Run(t, func(t *testing.T) processor.Processor { return sandbox.New(sandbox.Options{}) })
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func TestExpiryIsCheckedAgainstTheClock(t *testing.T) {
	p := sandbox.New(sandbox.Options{Clock: fixedClock{time.Date(2030, time.June, 15, 0, 0, 0, 0, time.UTC)}})
	cases := []struct {
		name        string
		month, year int
		want        string
	}{
		{"a later year", 1, 2031, processor.CodeApproved},
		{"this month", 6, 2030, processor.CodeApproved},
		{"last month", 5, 2030, processor.CodeExpiredCard},
		{"last year", 12, 2029, processor.CodeExpiredCard},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := processortest.CardRequest("4242424242424242", 100)
			req.Card.ExpMonth, req.Card.ExpYear = tc.month, tc.year
			res, err := p.Authorize(context.Background(), req)
			if err != nil || res.Code != tc.want {
				t.Fatalf("got result %+v, error %v; want code %q", res, err, tc.want)
			}
		})
	}
}

func TestMoreStripeTestCards(t *testing.T) {
	p := sandbox.New(sandbox.Options{})
	cases := []struct{ number, want string }{
		{"6011111111111117", processor.CodeApproved},   // Discover
		{"3056930009020004", processor.CodeApproved},   // Diners
		{"3566002020360505", processor.CodeApproved},   // JCB
		{"6200000000000005", processor.CodeApproved},   // UnionPay
		{"4000000000009987", processor.CodeLostCard},   // lost
		{"4000000000009979", processor.CodeStolenCard}, // stolen
		{"4100000000000019", processor.CodeCardDeclined},
		{"4242424242424241", processor.CodeIncorrectNumber}, // bad check digit
	}
	for _, tc := range cases {
		t.Run(tc.number[:4]+"_"+tc.want, func(t *testing.T) {
			res, err := p.Authorize(context.Background(), processortest.CardRequest(tc.number, 100))
			if err != nil || res.Code != tc.want || res.Approved != (tc.want == processor.CodeApproved) {
				t.Fatalf("got result %+v, error %v; want code %q", res, err, tc.want)
			}
		})
	}
}

func TestMoreACHTestAccounts(t *testing.T) {
	p := sandbox.New(sandbox.Options{})
	cases := []struct{ account, want string }{
		{"000111111113", processor.CodeAccountClosed},
		{"000222222227", processor.CodeInsufficientFunds},
		{"000333333335", processor.CodeDebitNotAuthorized},
		{"000987654321", processor.CodeApproved},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			res, err := p.Authorize(context.Background(), processortest.BankRequest(tc.account, 100))
			if err != nil || res.Code != tc.want {
				t.Fatalf("got result %+v, error %v; want code %q", res, err, tc.want)
			}
		})
	}
}

func TestACHMustBeInDollars(t *testing.T) {
	req := processortest.BankRequest("000123456789", 100)
	req.Currency = "EUR"
	_, err := sandbox.New(sandbox.Options{}).Authorize(context.Background(), req)
	var perr *processor.Error
	if !errors.As(err, &perr) || perr.Field != "currency" {
		t.Fatalf("got %v, want an invalid currency", err)
	}
}

func TestProcessingErrorsAreNotRemembered(t *testing.T) {
	p := sandbox.New(sandbox.Options{})
	req := processortest.CardRequest("4000000000000119", 100)
	for range 2 {
		_, err := p.Authorize(context.Background(), req)
		var perr *processor.Error
		if !errors.As(err, &perr) || !perr.Temporary || !errors.Is(err, processor.ErrProcessing) {
			t.Fatalf("got %v, want a temporary processing error", err)
		}
	}
}

func TestDeclinedChargesCannotBeRefunded(t *testing.T) {
	p := sandbox.New(sandbox.Options{})
	res, err := p.Authorize(context.Background(), processortest.CardRequest("4000000000000002", 100))
	if err != nil || res.Approved {
		t.Fatalf("Authorize: result %+v, error %v", res, err)
	}
	_, err = p.Refund(context.Background(), &processor.RefundRequest{
		IdempotencyKey: processortest.NewKey(), Reference: res.Reference, Amount: 100, Currency: "USD",
	})
	if processor.CodeOf(err) != processor.CodeChargeNotRefundable {
		t.Fatalf("got %v, want %s", err, processor.CodeChargeNotRefundable)
	}
}

func TestRefundInAnotherCurrencyIsRejected(t *testing.T) {
	p := sandbox.New(sandbox.Options{})
	res, err := p.Authorize(context.Background(), processortest.CardRequest("4242424242424242", 100))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Refund(context.Background(), &processor.RefundRequest{
		IdempotencyKey: processortest.NewKey(), Reference: res.Reference, Amount: 100, Currency: "EUR",
	})
	if !errors.Is(err, processor.ErrInvalidRequest) {
		t.Fatalf("got %v, want an invalid request", err)
	}
}

func TestConcurrentRefundsNeverExceedTheCharge(t *testing.T) {
	p := sandbox.New(sandbox.Options{})
	res, err := p.Authorize(context.Background(), processortest.CardRequest("4242424242424242", 1000))
	if err != nil {
		t.Fatal(err)
	}
	const workers = 50 // each refunds 100 of 1000: exactly 10 may succeed
	var wg sync.WaitGroup
	var mu sync.Mutex
	succeeded := 0
	for range workers {
		wg.Go(func() {
			_, err := p.Refund(context.Background(), &processor.RefundRequest{
				IdempotencyKey: processortest.NewKey(), Reference: res.Reference, Amount: 100, Currency: "usd",
			})
			if err == nil {
				mu.Lock()
				succeeded++
				mu.Unlock()
			} else if processor.CodeOf(err) != processor.CodeAmountTooLarge {
				t.Errorf("Refund: %v", err)
			}
		})
	}
	wg.Wait()
	if succeeded != 10 {
		t.Fatalf("%d refunds of 100 succeeded on a charge of 1000, want 10", succeeded)
	}
}

func TestConcurrentReplaysChargeOnce(t *testing.T) {
	p := sandbox.New(sandbox.Options{})
	req := processortest.CardRequest("4242424242424242", 1000)
	refs := make(chan string, 20)
	var wg sync.WaitGroup
	for range cap(refs) {
		wg.Go(func() {
			res, err := p.Authorize(context.Background(), processortest.CopyRequest(req))
			if err != nil {
				t.Errorf("Authorize: %v", err)
				return
			}
			refs <- res.Reference
		})
	}
	wg.Wait()
	close(refs)
	seen := map[string]bool{}
	for ref := range refs {
		seen[ref] = true
	}
	if len(seen) != 1 {
		t.Fatalf("one idempotency key made %d charges, want 1", len(seen))
	}
}

func TestSavingADecliningCardIsRejected(t *testing.T) {
	p := sandbox.New(sandbox.Options{})
	_, err := p.SaveInstrument(context.Background(), &processor.SaveRequest{
		IdempotencyKey: processortest.NewKey(), Tenant: "t", Card: processortest.CardRequest("4000000000000002", 1).Card,
	})
	if processor.CodeOf(err) != processor.CodeCardDeclined || !errors.Is(err, processor.ErrRejected) {
		t.Fatalf("got %v, want a card_declined rejection", err)
	}
}

func TestLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := sandbox.New(sandbox.Options{Latency: 250 * time.Millisecond})
		start := time.Now()
		if _, err := p.Authorize(context.Background(), processortest.CardRequest("4242424242424242", 100)); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited != 250*time.Millisecond {
			t.Errorf("Authorize took %v of fake time, want the configured 250ms", waited)
		}
	})
}

func TestLatencyHonoursTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := sandbox.New(sandbox.Options{Latency: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := p.Authorize(ctx, processortest.CardRequest("4242424242424242", 100))
		if !errors.Is(err, processor.ErrProcessing) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want a processing error wrapping context.DeadlineExceeded", err)
		}
	})
}
