package capture

import (
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

// check validates a field's whole entry and records what it learns (brand, expiry, account type).
func (s *Session) check(f *field, now time.Time) hushpay.FieldErrorCode {
	d := f.digits()
	switch f.name {
	case hushpay.FieldCardNumber:
		var code hushpay.FieldErrorCode
		f.brand, code = card.CheckPAN(d, s.cfg.AcceptedBrands)
		return code
	case hushpay.FieldExpiry:
		if len(d) != 4 {
			return hushpay.ErrLength
		}
		e, code := card.ExpiryFromDigits(d)
		if code == "" {
			code = e.Check(now)
		}
		f.expiry = e
		return code
	case hushpay.FieldSecurityCode:
		return card.ValidateSecurityCode(d, card.BrandInfo{SecurityCodeLen: s.securityCodeLen()})
	case hushpay.FieldPostalCode:
		if f.text {
			return card.ValidatePostalCode(string(d))
		}
		return card.ValidateZIP(d)
	case hushpay.FieldRoutingNumber:
		return card.ValidateRoutingNumber(d)
	case hushpay.FieldAccountNumber:
		return card.ValidateAccountNumber(d)
	case hushpay.FieldAccountType:
		t, code := card.ParseAccountType(string(d))
		f.acctType = t
		return code
	}
	return hushpay.ErrFormat
}

// field returns the named field, or nil when the session does not capture it.
func (s *Session) field(name hushpay.FieldName) *field {
	for i := range s.fields {
		if s.fields[i].name == name {
			return &s.fields[i]
		}
	}
	return nil
}

// securityCodeLen is the security code length the card's brand asks for, 0 while it is not known.
func (s *Session) securityCodeLen() int {
	if c := s.field(hushpay.FieldCardNumber); c != nil {
		return c.brand.SecurityCodeLen()
	}
	return 0
}

// securityCodeFits reports whether a complete security code has the length the card's brand asks for.
func (s *Session) securityCodeFits() bool {
	c := s.field(hushpay.FieldSecurityCode)
	return c == nil || c.state != hushpay.FieldComplete || card.SecurityCodeLenValid(c.n, s.securityCodeLen())
}

// recheckSecurityCode invalidates a complete security code that does not fit the card that has just
// completed. It does not count an attempt: the caller typed what was asked at the time.
func (s *Session) recheckSecurityCode() {
	if s.securityCodeFits() {
		return
	}
	c := s.field(hushpay.FieldSecurityCode)
	c.wipeDigits()
	c.state = hushpay.FieldInvalid
	c.code = hushpay.ErrLength
}

// Complete reports whether every field is complete and valid, the security code fitting the card.
func (s *Session) Complete() bool {
	if s.wiped || s.exhausted {
		return false
	}
	for i := range s.fields {
		if s.fields[i].state != hushpay.FieldComplete {
			return false
		}
	}
	return s.securityCodeFits()
}
