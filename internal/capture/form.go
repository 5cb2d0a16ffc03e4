package capture

import (
	"slices"
	"strings"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

// SetField captures a whole value from the hosted form. Numbers may hold spaces and dashes ("4242 4242
// 4242 4242"); the expiry is read by card.ParseExpiry (MM/YY, MM/YYYY, MMYY, MM-YY); the postal code
// follows the form's rules (card.ValidatePostalCode); the account type is "checking", "savings", "1"
// or "2". A valid value completes the field (and moves capture on if it was the current field); an
// invalid one makes it invalid with its code and counts an attempt. An empty value empties the field
// without counting an attempt and returns ErrMissing.
func (s *Session) SetField(name hushpay.FieldName, value string, now time.Time) Update {
	if err := s.refuse(); err != nil {
		return Update{Err: err}
	}
	f := s.field(name)
	if f == nil {
		return Update{Err: notCaptured("capture.set", name)}
	}
	s.deadline = time.Time{}
	u := Update{Field: name, Changed: true}
	value = strings.TrimSpace(value)
	if value == "" {
		f.startEntry()
		u.Err = ErrMissing
		return u
	}
	var buf [32]byte
	normal, text, code := normalize(name, value, now, buf[:0])
	switch {
	case code != "":
		f.startEntry()
		s.reject(f, code, false, &u)
	case len(normal) > len(f.buf):
		f.startEntry()
		s.reject(f, hushpay.ErrLength, false, &u)
	default:
		f.set(normal, text)
		s.finish(f, now, &u)
	}
	clear(normal) // a copy of the digits: on the stack, or on the heap for an overlong value
	clear(buf[:])
	if s.cur < 0 && f.state != hushpay.FieldComplete {
		s.moveTo(slices.IndexFunc(s.fields, func(x field) bool { return x.name == name }))
	}
	return u
}

// normalize turns a form value into what a keypad entry would hold: the digits of a number, MMYY for
// an expiry, the keypad digit of an account type, the postal code as typed (text). It appends to dst so
// that the caller can wipe the copy.
func normalize(name hushpay.FieldName, value string, now time.Time, dst []byte) (out []byte, text bool, code hushpay.FieldErrorCode) {
	switch name {
	case hushpay.FieldExpiry:
		e, code := card.ParseExpiry(value)
		if code == "" {
			code = e.Check(now) // also keeps the year within the century MMYY can hold
		}
		if code != "" {
			return nil, false, code
		}
		return append(dst, byte('0'+e.Month/10), byte('0'+e.Month%10), byte('0'+e.Year/10%10), byte('0'+e.Year%10)), false, ""
	case hushpay.FieldPostalCode:
		if code := card.ValidatePostalCode(value); code != "" {
			return nil, false, code
		}
		return append(dst, value...), true, ""
	case hushpay.FieldAccountType:
		t, code := card.ParseAccountType(value)
		if code != "" {
			return nil, false, code
		}
		if t == card.Savings {
			return append(dst, '2'), false, ""
		}
		return append(dst, '1'), false, ""
	}
	return digitsOnly(value, dst)
}

// digitsOnly keeps the digits of a number typed with spaces or dashes; any other character is ErrFormat.
func digitsOnly(value string, dst []byte) ([]byte, bool, hushpay.FieldErrorCode) {
	for i := 0; i < len(value); i++ {
		switch c := value[i]; {
		case c >= '0' && c <= '9':
			dst = append(dst, c)
		case c == ' ' || c == '-':
		default:
			clear(dst)
			return nil, false, hushpay.ErrFormat
		}
	}
	return dst, false, ""
}
