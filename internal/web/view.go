package web

import (
	"fmt"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
	"github.com/hushpay/hushpay/internal/payments"
)

// paymentView is what the desktop shows of a payment: masked field progress in words, never more
// than the last four digits.
type paymentView struct {
	ID           string      `json:"id"`
	State        string      `json:"state"`
	Final        bool        `json:"final"`
	Amount       string      `json:"amount"`
	Reference    string      `json:"reference"`
	Method       string      `json:"method"`
	CallID       string      `json:"call_id,omitempty"`
	CurrentField string      `json:"current_field,omitempty"`
	Fields       []fieldView `json:"fields"`
	Outcome      string      `json:"outcome,omitempty"` // in words
	OutcomeCode  string      `json:"outcome_code,omitempty"`
	CreatedAt    time.Time   `json:"created_at"`
	Version      int64       `json:"version"` // the stored version: a view never replaces a newer one
	Hinted       int64       `json:"hinted"`  // the time of the newest page hint shown, Unix ms
}

// fieldView is one field's masked progress.
type fieldView struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	State    string `json:"state"`
	Length   int    `json:"length"`
	Expected int    `json:"expected,omitempty"` // digits the field should have, when known
	Brand    string `json:"brand,omitempty"`    // display name
	Last4    string `json:"last4,omitempty"`
	Error    string `json:"error,omitempty"` // the code
	Words    string `json:"words"`           // what the agent reads
	FromPage bool   `json:"from_page,omitempty"`
}

// viewOf renders the payment, overlaying the payment page's hints on fields the server has not
// captured yet.
func viewOf(p *hushpay.Payment, hints map[hushpay.FieldName]hint) paymentView {
	v := paymentView{ID: p.ID, State: string(p.State), Final: p.State.Final(), Amount: payments.FormatAmount(p.Amount, p.Currency),
		Reference: p.Reference, Method: string(p.Method), CallID: p.CallID, CurrentField: string(p.CurrentField), CreatedAt: p.CreatedAt,
		Version: p.Version}
	brand := p.Fields[hushpay.FieldCardNumber].Brand
	for _, name := range p.Capture {
		f := p.Fields[name]
		fv := fieldView{Name: string(name), Label: agentLabel(name), State: string(f.State), Length: f.Length,
			Last4: f.Last4, Error: string(f.Error)}
		if hn, ok := hints[name]; ok && !p.State.Final() && f.State != hushpay.FieldComplete && hn.at.After(p.UpdatedAt) {
			fv.State, fv.Length, fv.Error, fv.FromPage = string(hn.State), hn.Length, "", true
			v.Hinted = max(v.Hinted, hn.at.UnixMilli())
			if name == hushpay.FieldCardNumber {
				brand = hn.Brand
			}
		}
		if name == hushpay.FieldCardNumber {
			fv.Brand = brandName(brand)
		}
		fv.Expected = expectedLength(name, card.Brand(brand))
		fv.Words = fieldWords(fv)
		v.Fields = append(v.Fields, fv)
	}
	if p.Outcome != nil {
		v.OutcomeCode = p.Outcome.Code
		v.Outcome = outcomeWords(p)
	}
	return v
}

// expectedLength is how many digits the field should get, 0 when it varies.
func expectedLength(name hushpay.FieldName, b card.Brand) int {
	switch name {
	case hushpay.FieldCardNumber:
		if b.ValidLength(16) {
			return 16
		}
		if b.Known() {
			return b.MaxLength()
		}
		return 16
	case hushpay.FieldExpiry:
		return 4
	case hushpay.FieldSecurityCode:
		if b == card.Amex {
			return 4
		}
		return 3
	case hushpay.FieldRoutingNumber:
		return 9
	}
	return 0
}

func brandName(b string) string {
	switch card.Brand(b) {
	case card.Visa:
		return "Visa"
	case card.Mastercard:
		return "Mastercard"
	case card.Amex:
		return "American Express"
	case card.Discover:
		return "Discover"
	case card.Diners:
		return "Diners Club"
	case card.JCB:
		return "JCB"
	case card.UnionPay:
		return "UnionPay"
	case card.Maestro:
		return "Maestro"
	}
	return ""
}

// fieldWords says where a field is, e.g. "Visa, 12 of 16 digits" or "expiry is in the past — ask
// the caller to re-enter".
func fieldWords(f fieldView) string {
	label := lowerFirst(f.Label)
	if hushpay.FieldState(f.State) == hushpay.FieldComplete || hushpay.FieldState(f.State) == hushpay.FieldInvalid {
		label = f.Label
	}
	switch hushpay.FieldState(f.State) {
	case hushpay.FieldComplete:
		if f.Brand != "" {
			label = f.Brand + ", " + lowerFirst(label)
		}
		if f.Last4 != "" {
			return fmt.Sprintf("%s valid, ending %s", label, f.Last4)
		}
		return label + " valid"
	case hushpay.FieldInvalid:
		if f.Error == "" {
			return label + " does not look right on the caller's page — the caller is correcting it"
		}
		return label + " " + errorWords(hushpay.FieldErrorCode(f.Error))
	case hushpay.FieldPartial:
		prefix := ""
		if f.Brand != "" {
			prefix = f.Brand + ", "
		}
		if f.Expected > 0 {
			return fmt.Sprintf("%s%d of %d digits", prefix, f.Length, f.Expected)
		}
		return fmt.Sprintf("%s%d characters", prefix, f.Length)
	}
	return "waiting for the caller"
}

func errorWords(code hushpay.FieldErrorCode) string {
	switch code {
	case hushpay.ErrLuhn:
		return "fails the check digit — ask the caller to re-enter"
	case hushpay.ErrLength:
		return "has the wrong number of digits — ask the caller to re-enter"
	case hushpay.ErrBrandNotAccepted:
		return "is a card brand that is not accepted — ask for another card"
	case hushpay.ErrExpired:
		return "is in the past — ask the caller to re-enter"
	case hushpay.ErrFormat:
		return "is not in the expected format — ask the caller to re-enter"
	case hushpay.ErrTimeout:
		return "took too long — ask the caller to start it again"
	case hushpay.ErrTooManyAttempts:
		return "had too many attempts — the payment cannot go on"
	}
	return "is not valid — ask the caller to re-enter"
}

func outcomeWords(p *hushpay.Payment) string {
	switch p.State {
	case hushpay.PaymentSucceeded:
		return "Payment succeeded — approved"
	case hushpay.PaymentDeclined:
		return "Payment declined — " + p.Outcome.Message + " (" + p.Outcome.Code + ")"
	case hushpay.PaymentCancelled:
		return "Payment cancelled (" + p.Outcome.Code + ")"
	case hushpay.PaymentExpired:
		return "Payment expired"
	}
	return "Payment failed — " + p.Outcome.Message + " (" + p.Outcome.Code + ")"
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]-'A'+'a') + s[1:]
}

// agentLabel is a field's short name on the desktop.
func agentLabel(name hushpay.FieldName) string {
	switch name {
	case hushpay.FieldCardNumber:
		return "Card number"
	case hushpay.FieldExpiry:
		return "Expiry"
	case hushpay.FieldSecurityCode:
		return "Security code"
	case hushpay.FieldPostalCode:
		return "Postal code"
	case hushpay.FieldRoutingNumber:
		return "Routing number"
	case hushpay.FieldAccountNumber:
		return "Account number"
	case hushpay.FieldAccountType:
		return "Account type"
	}
	return string(name)
}
