package capture

import (
	"errors"

	"github.com/hushpay/hushpay"
)

// Errors reported in Update.Err and by MoveTo and Reset. None of them holds the input.
var (
	ErrSymbol      = errors.New("capture: not a keypad symbol")
	ErrNoField     = errors.New("capture: every field is complete")
	ErrNotCaptured = errors.New("capture: field is not captured by this payment")
	ErrExhausted   = errors.New("capture: too many invalid attempts")
	ErrWiped       = errors.New("capture: session wiped")
	ErrMissing     = errors.New("capture: no value given")
)

// notCaptured names the field only when it is a known field name, so arbitrary input is not echoed.
func notCaptured(op string, f hushpay.FieldName) error {
	msg := "the payment does not capture that field"
	if hushpay.MethodCard.Allows(f) || hushpay.MethodACH.Allows(f) {
		msg = "the payment does not capture " + string(f)
	}
	return &hushpay.Error{Op: op, Kind: hushpay.KindInvalid, Code: "field_not_captured", Field: "field",
		Message: msg, Err: ErrNotCaptured}
}

func closed(op string, err error) error {
	return &hushpay.Error{Op: op, Kind: hushpay.KindConflict, Code: "capture_closed",
		Message: "the payment no longer captures fields", Err: err}
}
