package capture

import (
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

// Fields returns the masked view of every captured field: state, length, brand, last four of a
// complete card or account number, error code and attempts. It never holds other digits.
func (s *Session) Fields() map[hushpay.FieldName]hushpay.Field {
	out := make(map[hushpay.FieldName]hushpay.Field, len(s.fields))
	for i := range s.fields {
		out[s.fields[i].name] = s.fields[i].view()
	}
	return out
}

// Values holds the captured secrets for tokenization and authorization. The card, security code and
// account numbers share the session's memory: they are valid until the field changes, and Session.Wipe
// zeroes them. PostalCode and RoutingNumber are ordinary strings (neither is secret on its own), which
// Wipe cannot reach. Fields not captured or not complete are zero. Every way of printing Values prints
// the masked form.
type Values struct {
	PAN           card.PAN
	Brand         card.Brand
	Expiry        card.Expiry
	SecurityCode  card.SecurityCode
	PostalCode    string
	RoutingNumber string
	Account       card.AccountNumber
	AccountType   card.AccountType
}

// Values returns the captured values of the complete fields (zero after Wipe).
func (s *Session) Values() Values {
	var v Values
	if s.wiped {
		return v
	}
	for i := range s.fields {
		f := &s.fields[i]
		if f.state == hushpay.FieldComplete {
			f.fill(&v)
		}
	}
	return v
}

func (f *field) fill(v *Values) {
	switch f.name {
	case hushpay.FieldCardNumber:
		v.PAN, v.Brand = card.PANFromBytes(f.digits()), f.brand
	case hushpay.FieldExpiry:
		v.Expiry = f.expiry
	case hushpay.FieldSecurityCode:
		v.SecurityCode = card.SecurityCodeFromBytes(f.digits())
	case hushpay.FieldPostalCode:
		v.PostalCode = string(f.digits())
	case hushpay.FieldRoutingNumber:
		v.RoutingNumber = string(f.digits())
	case hushpay.FieldAccountNumber:
		v.Account = card.AccountNumberFromBytes(f.digits())
	case hushpay.FieldAccountType:
		v.AccountType = f.acctType
	}
}

// Wipe zeroes every digit the session holds, including those of Values already handed out, and ends
// the session: further input is refused with ErrWiped and Values is empty. The masked view (Fields)
// keeps its states and last four digits. Call it after authorization or on cancel.
func (s *Session) Wipe() {
	for i := range s.fields {
		s.fields[i].wipeDigits()
		s.fields[i].expiry = card.Expiry{}
	}
	s.deadline = time.Time{}
	s.wiped = true
	s.cur = -1
}
