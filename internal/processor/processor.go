package processor

import (
	"context"

	"github.com/hushpay/hushpay/internal/card"
)

// Processor is what every payment gateway connector implements: authorize (and capture) one
// charge. Extra powers are separate interfaces (Refunder, InstrumentSaver) discovered with a type
// assertion.
//
// Authorize returns a Result for every answer the gateway gave, approved or declined. It returns
// an error only when the attempt itself failed: an invalid request (ErrInvalidRequest), a
// processing error (ErrProcessing), an idempotency-key reuse; the error is an *Error whose Code the
// service reads with CodeOf. Calling Authorize again with the same IdempotencyKey and request
// returns the same Result and never charges twice.
type Processor interface {
	// Name is the connector's registry name, e.g. "sandbox".
	Name() string
	// Authorize charges the request's card or bank account.
	Authorize(ctx context.Context, req *AuthorizeRequest) (*Result, error)
}

// AuthorizeRequest is one charge. Exactly one of Card, Bank and Saved is set.
type AuthorizeRequest struct {
	// IdempotencyKey makes retries safe: the same key returns the first answer.
	IdempotencyKey string
	Tenant         string
	PaymentID      string
	Reference      string // the merchant's reference (invoice, order), shown on the gateway
	Amount         int64  // minor units, > 0
	Currency       string // ISO 4217, three letters
	// MOTO marks a mail/telephone order: always true for agent-assisted payments, so the gateway
	// applies MOTO rules (no 3-D Secure, SCA exemption).
	MOTO bool

	Card  *Card
	Bank  *Bank
	Saved string // a reusable instrument's Reference from InstrumentSaver.SaveInstrument
}

// Card is a card to charge. The caller wipes PAN and SecurityCode once Authorize returns.
type Card struct {
	PAN          card.PAN
	Brand        card.Brand // may be "" when unknown
	ExpMonth     int        // 1–12
	ExpYear      int        // four digits
	SecurityCode card.SecurityCode
	PostalCode   string
}

// Bank is a US bank account to debit by ACH.
type Bank struct {
	RoutingNumber string // nine-digit ABA routing number
	Account       card.AccountNumber
	AccountType   string // "checking" or "savings"
}

// Result is the gateway's answer to an authorization. It never holds card data.
type Result struct {
	Approved bool
	// Code is CodeApproved, or the decline code: card_declined, insufficient_funds,
	// expired_card, incorrect_cvc, no_account, …
	Code    string
	Message string // a short human explanation, safe to show to an agent
	// Reference is the gateway's id of the charge (approved or declined), for refunds and support.
	Reference string
}

// Refunder is the optional capability to refund an approved charge, in full or in part.
type Refunder interface {
	// Refund returns money from the charge named by req.Reference. Refunds beyond the charged
	// amount fail with CodeAmountTooLarge; an unknown charge with CodeChargeNotFound.
	Refund(ctx context.Context, req *RefundRequest) (*RefundResult, error)
}

// RefundRequest is one refund of an approved charge.
type RefundRequest struct {
	IdempotencyKey string
	Reference      string // the charge's Result.Reference
	Amount         int64  // minor units, > 0
	Currency       string // the charge's currency
}

// RefundResult is the gateway's record of a refund.
type RefundResult struct {
	Reference string // the gateway's id of the refund
}

// InstrumentSaver is the optional capability to keep a card or bank account at the gateway as a
// reusable instrument (for payments with token_type "reusable"). The returned Reference is the
// gateway's token: later charges pass it as AuthorizeRequest.Saved, with no card data at all.
type InstrumentSaver interface {
	SaveInstrument(ctx context.Context, req *SaveRequest) (*SavedInstrument, error)
}

// SaveRequest asks the gateway to keep an instrument. Exactly one of Card and Bank is set.
type SaveRequest struct {
	IdempotencyKey string
	Tenant         string
	Card           *Card
	Bank           *Bank
}

// SavedInstrument is a reusable instrument kept by the gateway. It never holds card data.
type SavedInstrument struct {
	Reference string // the gateway's token, bound to the tenant that saved it
	Brand     card.Brand
	Last4     string
}
