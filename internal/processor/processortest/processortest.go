package processortest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay/internal/card"
	"github.com/hushpay/hushpay/internal/processor"
)

// TestCard is a public test card and the answer a gateway's test mode gives for it.
type TestCard struct {
	Name   string
	Number string
	Brand  card.Brand
	// Code is processor.CodeApproved, a decline code, or processor.CodeProcessingError for a card
	// whose authorization fails with an error.
	Code string
}

// Cards returns the public Stripe test cards the suite charges.
func Cards() []TestCard {
	return []TestCard{
		{"Visa", "4242424242424242", card.Visa, processor.CodeApproved},
		{"Visa debit", "4000056655665556", card.Visa, processor.CodeApproved},
		{"Mastercard", "5555555555554444", card.Mastercard, processor.CodeApproved},
		{"Mastercard 2-series", "2223003122003222", card.Mastercard, processor.CodeApproved},
		{"American Express", "378282246310005", card.Amex, processor.CodeApproved},
		{"declined", "4000000000000002", card.Visa, processor.CodeCardDeclined},
		{"insufficient funds", "4000000000009995", card.Visa, processor.CodeInsufficientFunds},
		{"expired card", "4000000000000069", card.Visa, processor.CodeExpiredCard},
		{"incorrect CVC", "4000000000000127", card.Visa, processor.CodeIncorrectCVC},
		{"processing error", "4000000000000119", card.Visa, processor.CodeProcessingError},
	}
}

// TestBankAccount is a public ACH test account (routing number 110000000) and its answer.
type TestBankAccount struct {
	Name    string
	Account string
	Code    string
}

// TestRoutingNumber is the routing number of the ACH test accounts.
const TestRoutingNumber = "110000000"

// BankAccounts returns the public ACH test accounts the suite debits.
func BankAccounts() []TestBankAccount {
	return []TestBankAccount{
		{"succeeds", "000123456789", processor.CodeApproved},
		{"no account", "000111111116", processor.CodeNoAccount},
	}
}

// Run runs the conformance suite. newProcessor returns a fresh connector for each subtest.
func Run(t *testing.T, newProcessor func(t *testing.T) processor.Processor) {
	t.Run("names itself", func(t *testing.T) {
		if newProcessor(t).Name() == "" {
			t.Error("Name() is empty")
		}
	})
	t.Run("test cards get their outcome", func(t *testing.T) { testCards(t, newProcessor(t)) })
	t.Run("a replayed idempotency key returns the first result", func(t *testing.T) { testReplay(t, newProcessor(t)) })
	t.Run("an idempotency key reused for another request is rejected", func(t *testing.T) { testKeyReuse(t, newProcessor(t)) })
	t.Run("malformed requests are rejected", func(t *testing.T) { testMalformed(t, newProcessor(t)) })
	t.Run("refunds", func(t *testing.T) { testRefunds(t, newProcessor(t)) })
	t.Run("ACH debits", func(t *testing.T) { testACH(t, newProcessor(t)) })
	t.Run("saved instruments", func(t *testing.T) { testSaved(t, newProcessor(t)) })
}

// CardRequest returns an authorization of amount USD minor units with a test card number, a
// future expiry and a security code of the brand's length.
func CardRequest(number string, amount int64) *processor.AuthorizeRequest {
	brand, _ := card.BrandOf(number)
	return &processor.AuthorizeRequest{
		IdempotencyKey: NewKey(),
		Tenant:         "tenant_conformance",
		PaymentID:      "pay_" + NewKey(),
		Reference:      "conformance",
		Amount:         amount,
		Currency:       "USD",
		MOTO:           true,
		Card: &processor.Card{
			PAN:          card.NewPAN(number),
			Brand:        brand,
			ExpMonth:     12,
			ExpYear:      time.Now().Year() + 3,
			SecurityCode: card.NewSecurityCode(securityCodeFor(brand)),
			PostalCode:   "94107",
		},
	}
}

// BankRequest returns an ACH debit of amount USD cents from a test account.
func BankRequest(account string, amount int64) *processor.AuthorizeRequest {
	return &processor.AuthorizeRequest{
		IdempotencyKey: NewKey(),
		Tenant:         "tenant_conformance",
		PaymentID:      "pay_" + NewKey(),
		Reference:      "conformance",
		Amount:         amount,
		Currency:       "USD",
		MOTO:           true,
		Bank: &processor.Bank{
			RoutingNumber: TestRoutingNumber,
			Account:       card.NewAccountNumber(account),
			AccountType:   "checking",
		},
	}
}

// NewKey returns a fresh random idempotency key.
func NewKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// securityCodeFor returns a security code of the brand's length whose digits appear in no test
// card number, so a leak of it is recognizable.
func securityCodeFor(b card.Brand) string {
	if b == card.Amex {
		return "9871"
	}
	return "987"
}

func testCards(t *testing.T, p processor.Processor) {
	for _, tc := range Cards() {
		t.Run(tc.Name, func(t *testing.T) {
			req := CardRequest(tc.Number, 1099)
			res, err := p.Authorize(context.Background(), req)
			checkNoCardData(t, req, res, err)
			checkOutcome(t, tc.Code, res, err)
		})
	}
}

// checkOutcome checks that the answer is the expected approval, decline or processing error.
func checkOutcome(t *testing.T, want string, res *processor.Result, err error) {
	t.Helper()
	if want == processor.CodeProcessingError {
		if res != nil || !errors.Is(err, processor.ErrProcessing) || processor.CodeOf(err) != want {
			t.Fatalf("got result %+v, error %v; want a %s error wrapping ErrProcessing", res, err, want)
		}
		return
	}
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if res.Code != want || res.Approved != (want == processor.CodeApproved) {
		t.Fatalf("got approved=%v code %q, want code %q", res.Approved, res.Code, want)
	}
	if res.Reference == "" || res.Message == "" {
		t.Errorf("result lacks a reference or message: %+v", res)
	}
}

func testReplay(t *testing.T, p processor.Processor) {
	for _, number := range []string{"4242424242424242", "4000000000000002"} {
		t.Run(number[:4]+"…"+number[len(number)-4:], func(t *testing.T) {
			req := CardRequest(number, 2500)
			first, err := p.Authorize(context.Background(), req)
			if err != nil {
				t.Fatalf("first Authorize: %v", err)
			}
			again, err := p.Authorize(context.Background(), CopyRequest(req))
			if err != nil {
				t.Fatalf("replayed Authorize: %v", err)
			}
			if *again != *first {
				t.Errorf("replay = %+v, want the first result %+v", again, first)
			}
			other, err := p.Authorize(context.Background(), withNewKey(req))
			if err != nil {
				t.Fatalf("Authorize with a new key: %v", err)
			}
			if other.Reference == first.Reference {
				t.Errorf("a new idempotency key reused charge reference %q", first.Reference)
			}
		})
	}
}

func testKeyReuse(t *testing.T, p processor.Processor) {
	req := CardRequest("4242424242424242", 2500)
	if _, err := p.Authorize(context.Background(), req); err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	other := CopyRequest(req)
	other.Amount = 2600
	res, err := p.Authorize(context.Background(), other)
	checkNoCardData(t, other, res, err)
	if res != nil || processor.CodeOf(err) != processor.CodeIdempotencyKeyReuse || !errors.Is(err, processor.ErrRejected) {
		t.Fatalf("got result %+v, error %v; want %s", res, err, processor.CodeIdempotencyKeyReuse)
	}
}

func testMalformed(t *testing.T, p processor.Processor) {
	cases := []struct {
		name   string
		field  string
		modify func(r *processor.AuthorizeRequest)
	}{
		{"no idempotency key", "idempotency_key", func(r *processor.AuthorizeRequest) { r.IdempotencyKey = "" }},
		{"zero amount", "amount", func(r *processor.AuthorizeRequest) { r.Amount = 0 }},
		{"negative amount", "amount", func(r *processor.AuthorizeRequest) { r.Amount = -100 }},
		{"two-letter currency", "currency", func(r *processor.AuthorizeRequest) { r.Currency = "US" }},
		{"currency with a digit", "currency", func(r *processor.AuthorizeRequest) { r.Currency = "U5D" }},
		{"no instrument", "instrument", func(r *processor.AuthorizeRequest) { r.Card = nil }},
		{"card and bank account", "instrument", func(r *processor.AuthorizeRequest) {
			r.Bank = BankRequest("000123456789", r.Amount).Bank
		}},
		{"card number too short", "card_number", func(r *processor.AuthorizeRequest) { r.Card.PAN = card.NewPAN("42424242424") }},
		{"card number not digits", "card_number", func(r *processor.AuthorizeRequest) { r.Card.PAN = card.NewPAN("4242x24242424242") }},
		{"month 13", "expiry", func(r *processor.AuthorizeRequest) { r.Card.ExpMonth = 13 }},
		{"two-digit year", "expiry", func(r *processor.AuthorizeRequest) { r.Card.ExpYear = 30 }},
		{"five-digit security code", "security_code", func(r *processor.AuthorizeRequest) {
			r.Card.SecurityCode = card.NewSecurityCode("98765")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := CardRequest("4242424242424242", 1000)
			tc.modify(req)
			res, err := p.Authorize(context.Background(), req)
			checkNoCardData(t, req, res, err)
			var perr *processor.Error
			if res != nil || !errors.As(err, &perr) || !errors.Is(err, processor.ErrInvalidRequest) {
				t.Fatalf("got result %+v, error %v; want an invalid-request *processor.Error", res, err)
			}
			if perr.Code != processor.CodeInvalidRequest || perr.Field != tc.field {
				t.Errorf("got code %q field %q, want %q on field %q", perr.Code, perr.Field, processor.CodeInvalidRequest, tc.field)
			}
		})
	}
}

// CopyRequest returns a deep copy of req with the same idempotency key and fresh copies of the
// secret values (the caller may wipe one without touching the other).
func CopyRequest(req *processor.AuthorizeRequest) *processor.AuthorizeRequest {
	c := *req
	if req.Card != nil {
		cc := *req.Card
		cc.PAN = card.NewPAN(req.Card.PAN.Reveal())
		cc.SecurityCode = card.NewSecurityCode(req.Card.SecurityCode.Reveal())
		c.Card = &cc
	}
	if req.Bank != nil {
		bc := *req.Bank
		bc.Account = card.NewAccountNumber(req.Bank.Account.Reveal())
		c.Bank = &bc
	}
	return &c
}

func withNewKey(req *processor.AuthorizeRequest) *processor.AuthorizeRequest {
	c := CopyRequest(req)
	c.IdempotencyKey = NewKey()
	return c
}

// checkNoCardData fails the test if the result or error shows the request's card number,
// security code or bank account number in any form the suite can print.
func checkNoCardData(t *testing.T, req *processor.AuthorizeRequest, res *processor.Result, err error) {
	t.Helper()
	var secrets, codes []string
	if req.Card != nil {
		secrets = append(secrets, req.Card.PAN.Reveal())
		codes = append(codes, req.Card.SecurityCode.Reveal())
	}
	if req.Bank != nil {
		secrets = append(secrets, req.Bank.Account.Reveal())
	}
	var shown []string
	if res != nil {
		shown = append(shown, fmt.Sprintf("%+v", *res))
	}
	if err != nil {
		shown = append(shown, err.Error(), fmt.Sprintf("%+v", err))
	}
	for _, s := range shown {
		for _, secret := range secrets {
			if len(secret) >= 8 && strings.Contains(s, secret) {
				t.Errorf("a result or error shows the card or account number: %q", s)
			}
		}
	}
	// A random reference may hold any three digits; the security code must not be in the words.
	var words []string
	if res != nil {
		words = append(words, res.Code, res.Message)
	}
	if err != nil {
		words = append(words, err.Error())
	}
	for _, w := range words {
		for _, code := range codes {
			if code != "" && strings.Contains(w, code) {
				t.Errorf("a result or error shows the security code: %q", w)
			}
		}
	}
}
