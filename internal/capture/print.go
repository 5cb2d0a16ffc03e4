package capture

import (
	"fmt"
	"log/slog"
)

// The session and the values hold digits in plain memory: every way of printing them prints the masked
// view only, so a stray %v or slog.Any cannot leak them.

// String describes the session by its masked view.
func (s *Session) String() string {
	return fmt.Sprintf("capture.Session{current: %q, fields: %v, exhausted: %v, wiped: %v}",
		s.Current(), s.Fields(), s.exhausted, s.wiped)
}

// Format prints String whatever the verb.
func (s *Session) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// GoString returns String.
func (s *Session) GoString() string { return s.String() }

// LogValue logs the masked view.
func (s *Session) LogValue() slog.Value { return slog.StringValue(s.String()) }

// String lists the values in masked form: the card and account numbers as their last four, the
// security code, postal code and routing number not at all.
func (v Values) String() string {
	return fmt.Sprintf("capture.Values{PAN: %s, Brand: %s, Expiry: %s, SecurityCode: %s, PostalCode: %s, RoutingNumber: %s, Account: %s, AccountType: %s}",
		v.PAN, v.Brand, v.Expiry, v.SecurityCode, present(v.PostalCode), present(v.RoutingNumber), v.Account, v.AccountType)
}

func present(s string) string {
	if s == "" {
		return "[none]"
	}
	return "[set]"
}

// Format prints String whatever the verb.
func (v Values) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(v.String())) }

// GoString returns String.
func (v Values) GoString() string { return v.String() }

// LogValue logs String.
func (v Values) LogValue() slog.Value { return slog.StringValue(v.String()) }

// MarshalJSON encodes String, so that the values cannot be serialized by mistake.
func (v Values) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", v.String())), nil }
