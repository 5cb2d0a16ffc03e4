package hushpay

import (
	"slices"
	"time"
)

// PaymentState is where a payment is in its life.
//
//	created → capturing → ready → processing → succeeded | declined | failed
//	any non-final state → cancelled | expired
type PaymentState string

// The payment states of the SPEC.
const (
	PaymentCreated    PaymentState = "created"
	PaymentCapturing  PaymentState = "capturing"
	PaymentReady      PaymentState = "ready"
	PaymentProcessing PaymentState = "processing"
	PaymentSucceeded  PaymentState = "succeeded"
	PaymentDeclined   PaymentState = "declined"
	PaymentFailed     PaymentState = "failed"
	PaymentCancelled  PaymentState = "cancelled"
	PaymentExpired    PaymentState = "expired"
)

// PaymentStates lists every state, in life order.
var PaymentStates = []PaymentState{PaymentCreated, PaymentCapturing, PaymentReady, PaymentProcessing,
	PaymentSucceeded, PaymentDeclined, PaymentFailed, PaymentCancelled, PaymentExpired}

// Valid reports whether s is one of the known states.
func (s PaymentState) Valid() bool { return slices.Contains(PaymentStates, s) }

// Final reports whether no further transition is possible (a succeeded payment may still be refunded,
// which does not change its state).
func (s PaymentState) Final() bool {
	switch s {
	case PaymentSucceeded, PaymentDeclined, PaymentFailed, PaymentCancelled, PaymentExpired:
		return true
	}
	return false
}

// CanBecome reports whether the transition s → to is allowed.
func (s PaymentState) CanBecome(to PaymentState) bool {
	if s.Final() {
		return false
	}
	switch to {
	case PaymentCancelled, PaymentExpired:
		return s != PaymentProcessing
	case PaymentCapturing:
		return s == PaymentCreated || s == PaymentCapturing || s == PaymentReady
	case PaymentReady:
		return s == PaymentCapturing || s == PaymentCreated
	case PaymentProcessing:
		return s == PaymentReady || s == PaymentCapturing
	case PaymentSucceeded, PaymentDeclined:
		return s == PaymentProcessing
	case PaymentFailed:
		return true
	}
	return false
}

// Method is how the caller pays.
type Method string

// The payment methods.
const (
	MethodCard Method = "card"
	MethodACH  Method = "ach"
)

// FieldName names one piece of payment data to capture.
type FieldName string

// The capturable fields.
const (
	FieldCardNumber    FieldName = "card_number"
	FieldExpiry        FieldName = "expiry"
	FieldSecurityCode  FieldName = "security_code"
	FieldPostalCode    FieldName = "postal_code"
	FieldRoutingNumber FieldName = "routing_number"
	FieldAccountNumber FieldName = "account_number"
	FieldAccountType   FieldName = "account_type"
)

// CardFields are the fields a card payment may capture; ACHFields those of an ACH payment.
var (
	CardFields = []FieldName{FieldCardNumber, FieldExpiry, FieldSecurityCode, FieldPostalCode}
	ACHFields  = []FieldName{FieldRoutingNumber, FieldAccountNumber, FieldAccountType}
)

// DefaultCapture returns the fields captured when a create request names none.
func DefaultCapture(m Method) []FieldName {
	if m == MethodACH {
		return slices.Clone(ACHFields)
	}
	return []FieldName{FieldCardNumber, FieldExpiry, FieldSecurityCode}
}

// Allows reports whether the method can capture the field.
func (m Method) Allows(f FieldName) bool {
	if m == MethodACH {
		return slices.Contains(ACHFields, f)
	}
	return slices.Contains(CardFields, f)
}

// FieldState is the masked state of one field.
type FieldState string

// The field states.
const (
	FieldEmpty    FieldState = "empty"
	FieldPartial  FieldState = "partial"
	FieldComplete FieldState = "complete"
	FieldInvalid  FieldState = "invalid"
)

// FieldErrorCode says why a field is invalid.
type FieldErrorCode string

// The field error codes of the SPEC.
const (
	ErrLuhn             FieldErrorCode = "luhn"
	ErrLength           FieldErrorCode = "length"
	ErrBrandNotAccepted FieldErrorCode = "brand_not_accepted"
	ErrExpired          FieldErrorCode = "expired"
	ErrFormat           FieldErrorCode = "format"
	ErrTimeout          FieldErrorCode = "timeout"
	ErrTooManyAttempts  FieldErrorCode = "too_many_attempts"
)

// Field is the masked view of one captured field: never its value, at most the last four digits of a
// complete card or account number (PCI DSS 3.4.1).
type Field struct {
	State    FieldState     `json:"state"`
	Length   int            `json:"length"`
	Brand    string         `json:"brand,omitempty"`
	Last4    string         `json:"last4,omitempty"`
	Error    FieldErrorCode `json:"error,omitempty"`
	Attempts int            `json:"attempts,omitempty"` // entries that ended invalid
}

// Outcome is a finished payment's result.
type Outcome struct {
	Code               string `json:"code"`
	Message            string `json:"message"`
	ProcessorReference string `json:"processor_reference,omitempty"`
}

// Outcome codes that are not processor decline codes.
const (
	OutcomeApproved        = "approved"
	OutcomeAgentCancelled  = "agent_cancelled"
	OutcomeCallEnded       = "call_ended"
	OutcomeExpired         = "expired"
	OutcomeProcessingError = "processing_error"
	OutcomeTooManyAttempts = "too_many_attempts"
)

// Refund is one refund of a succeeded payment.
type Refund struct {
	ID                 string    `json:"id"`
	Amount             int64     `json:"amount"`
	ProcessorReference string    `json:"processor_reference,omitempty"`
	CreatedAt          time.Time `json:"created_at"`
}

// Payment is one payment request and everything hushpay may keep about it. It holds no card data:
// the captured values live in memory in the capture engine, and once tokenized only TokenID
// points at the encrypted record.
type Payment struct {
	ID             string              `json:"id"`
	Tenant         string              `json:"tenant"`
	State          PaymentState        `json:"state"`
	Amount         int64               `json:"amount"`
	Currency       string              `json:"currency"`
	Reference      string              `json:"reference"`
	Description    string              `json:"description"`
	Method         Method              `json:"method"`
	CallID         string              `json:"call_id,omitempty"`
	AutoSubmit     bool                `json:"auto_submit"`
	Capture        []FieldName         `json:"capture"`
	CurrentField   FieldName           `json:"current_field,omitempty"`
	Fields         map[FieldName]Field `json:"fields"`
	AcceptedBrands []string            `json:"accepted_brands,omitempty"`
	TokenType      string              `json:"token_type,omitempty"`
	Processor      string              `json:"processor"`
	TokenID        string              `json:"token_id,omitempty"`
	Outcome        *Outcome            `json:"outcome,omitempty"`
	AmountRefunded int64               `json:"amount_refunded"`
	Refunds        []Refund            `json:"refunds"`
	Metadata       map[string]string   `json:"metadata"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
	ExpiresAt      time.Time           `json:"expires_at"`
	ErasedAt       *time.Time          `json:"erased_at,omitempty"`
	// Version increases by one on every stored update; stores use it for optimistic concurrency.
	Version int64 `json:"version"`
}

// Clone returns a deep copy, so a snapshot handed to an event or a response cannot change under it.
func (p *Payment) Clone() *Payment {
	c := *p
	c.Capture = slices.Clone(p.Capture)
	c.AcceptedBrands = slices.Clone(p.AcceptedBrands)
	c.Refunds = slices.Clone(p.Refunds)
	if p.Fields != nil {
		c.Fields = make(map[FieldName]Field, len(p.Fields))
		for k, v := range p.Fields {
			c.Fields[k] = v
		}
	}
	if p.Metadata != nil {
		c.Metadata = make(map[string]string, len(p.Metadata))
		for k, v := range p.Metadata {
			c.Metadata[k] = v
		}
	}
	if p.Outcome != nil {
		o := *p.Outcome
		c.Outcome = &o
	}
	if p.ErasedAt != nil {
		t := *p.ErasedAt
		c.ErasedAt = &t
	}
	return &c
}

// PaymentFilter selects payments in a list; zero fields do not filter.
type PaymentFilter struct {
	CallID    string
	State     PaymentState
	Reference string
	Limit     int    // 1..100
	Cursor    string // from a previous page's NextCursor
}

// Page is one page of a newest-first list.
type Page[T any] struct {
	Data       []T
	HasMore    bool
	NextCursor string
}
