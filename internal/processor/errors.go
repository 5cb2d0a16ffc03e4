package processor

import (
	"errors"
	"fmt"

	"github.com/hushpay/hushpay"
)

// Result and error codes shared by every connector. Declines use the gateway's decline code
// (the Stripe vocabulary: card_declined, insufficient_funds, …); a connector maps its gateway's
// codes onto these where they mean the same.
const (
	CodeApproved           = "approved"
	CodeCardDeclined       = "card_declined"
	CodeInsufficientFunds  = "insufficient_funds"
	CodeExpiredCard        = "expired_card"
	CodeIncorrectCVC       = "incorrect_cvc"
	CodeIncorrectNumber    = "incorrect_number"
	CodeLostCard           = "lost_card"
	CodeStolenCard         = "stolen_card"
	CodeNoAccount          = "no_account"
	CodeAccountClosed      = "account_closed"
	CodeDebitNotAuthorized = "debit_not_authorized"

	CodeProcessingError     = "processing_error"      // the attempt failed; try again later
	CodeInvalidRequest      = "invalid_request"       // the request's shape is wrong (names the field)
	CodeIdempotencyKeyReuse = "idempotency_key_reuse" // the key was used for another request
	CodeAmountTooLarge      = "amount_too_large"      // a refund beyond what is left of the charge
	CodeChargeNotFound      = "charge_not_found"      // no such charge (or not this connector's)
	CodeChargeNotRefundable = "charge_not_refundable" // a declined charge, or another currency
	CodeInstrumentNotFound  = "instrument_not_found"  // no such saved instrument for this tenant
	CodeMethodNotSupported  = "method_not_supported"  // e.g. ACH on a card-only gateway
)

// The classes of failed attempts; every *Error wraps exactly one, so errors.Is tells them apart.
var (
	// ErrProcessing: the gateway could not process the attempt (CodeProcessingError). When the
	// Error is Temporary the same request may be retried with the same idempotency key.
	ErrProcessing = errors.New("processing error")
	// ErrInvalidRequest: the request is malformed; nothing was sent to the gateway.
	ErrInvalidRequest = errors.New("invalid request")
	// ErrRejected: the gateway refused the operation itself (idempotency-key reuse, refund too
	// large, unknown charge or instrument, unsupported method): retrying will not help.
	ErrRejected = errors.New("rejected")
)

// Error is a failed attempt (as opposed to a decline, which is a Result). Message and Field
// never carry card data or echo input values.
type Error struct {
	Code      string // one of the Code constants
	Message   string // safe to show to an agent
	Field     string // the request field concerned, for CodeInvalidRequest
	Temporary bool   // retrying later with the same idempotency key may succeed
	Err       error  // ErrProcessing, ErrInvalidRequest or ErrRejected, possibly wrapping a cause
}

// Error renders the error for logs.
func (e *Error) Error() string {
	msg := "processor: " + e.Code
	if e.Field != "" {
		msg += " (" + e.Field + ")"
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Unwrap returns the error's class (and through it any cause).
func (e *Error) Unwrap() error { return e.Err }

// Invalid returns an ErrInvalidRequest *Error naming a request field.
func Invalid(field, message string) *Error {
	return &Error{Code: CodeInvalidRequest, Field: field, Message: message, Err: ErrInvalidRequest}
}

// Processing returns a temporary ErrProcessing *Error; cause (which must not hold card data) may
// be nil.
func Processing(message string, cause error) *Error {
	err := ErrProcessing
	if cause != nil {
		err = fmt.Errorf("%w: %w", ErrProcessing, cause)
	}
	return &Error{Code: CodeProcessingError, Message: message, Temporary: true, Err: err}
}

// Rejected returns an ErrRejected *Error with the given code.
func Rejected(code, message string) *Error {
	return &Error{Code: code, Message: message, Err: ErrRejected}
}

// CodeOf returns the code of the first *Error in err's chain; any other non-nil error (a connector
// bug, a cancelled context) is CodeProcessingError. It returns "" for nil.
func CodeOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeProcessingError
}

// HushpayError converts a connector's error into the service's error for op, so the API maps it to
// a status in one place: an invalid request is KindInvalid, a rejection KindConflict, and a
// processing error (or any other error) KindUnavailable. Code, Field and Message carry over.
func HushpayError(op string, err error) *hushpay.Error {
	e := &Error{Code: CodeProcessingError, Message: "the payment processor is not available", Err: ErrProcessing}
	errors.As(err, &e)
	kind := hushpay.KindUnavailable
	switch {
	case errors.Is(e.Err, ErrInvalidRequest):
		kind = hushpay.KindInvalid
	case errors.Is(e.Err, ErrRejected):
		kind = hushpay.KindConflict
	}
	return &hushpay.Error{Op: op, Kind: kind, Code: e.Code, Field: e.Field, Message: e.Message, Err: err}
}
