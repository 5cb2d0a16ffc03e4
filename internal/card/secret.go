package card

import (
	"fmt"
	"log/slog"
	"strings"
)

// secret holds digits that must never be printed: every formatting path prints a masked form, and
// the only way to the digits is an explicit, greppable Reveal.
type secret struct {
	d []byte
}

func newSecret(digits string) secret { return secret{d: []byte(digits)} }

func (s secret) reveal() string { return string(s.d) }

// wipe overwrites the digits in place; every copy of the value shares the same backing array.
func (s secret) wipe() {
	for i := range s.d {
		s.d[i] = 0
	}
}

func (s secret) last4() string {
	if len(s.d) < 4 || s.d[0] == 0 {
		return ""
	}
	return string(s.d[len(s.d)-4:])
}

// PAN is a primary account number (a card number). It prints as its masked form only.
type PAN struct{ s secret }

// NewPAN wraps digits (only 0-9, already validated by the caller) as a PAN.
func NewPAN(digits string) PAN { return PAN{newSecret(digits)} }

// PANFromBytes wraps digits as a PAN without copying them: the PAN and the caller share the bytes, so
// Wipe on either clears both. The capture engine uses it so that one wipe clears every copy.
func PANFromBytes(digits []byte) PAN { return PAN{secret{d: digits}} }

// Reveal returns the full number. Call it only to hand the number to the vault or a processor.
func (p PAN) Reveal() string { return p.s.reveal() }

// Len returns the number of digits.
func (p PAN) Len() int { return len(p.s.d) }

// Last4 returns the last four digits, the most an agent may see.
func (p PAN) Last4() string { return p.s.last4() }

// Masked returns the display form: every digit but the last four replaced by '*'.
func (p PAN) Masked() string {
	l4 := p.Last4()
	if l4 == "" {
		return "[card number]"
	}
	return strings.Repeat("*", len(p.s.d)-4) + l4
}

// Wipe overwrites the digits in memory.
func (p PAN) Wipe() { p.s.wipe() }

// String returns the masked form.
func (p PAN) String() string { return p.Masked() }

// GoString returns the masked form.
func (p PAN) GoString() string { return "card.PAN(" + p.Masked() + ")" }

// Format prints the masked form whatever the verb.
func (p PAN) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.Masked())) }

// MarshalJSON encodes the masked form.
func (p PAN) MarshalJSON() ([]byte, error) { return []byte(`"` + p.Masked() + `"`), nil }

// MarshalText encodes the masked form.
func (p PAN) MarshalText() ([]byte, error) { return []byte(p.Masked()), nil }

// LogValue logs the masked form.
func (p PAN) LogValue() slog.Value { return slog.StringValue(p.Masked()) }

// SecurityCode is a card's CVV/CVC/CID. It lives in memory only and is wiped after authorization.
type SecurityCode struct{ s secret }

// NewSecurityCode wraps digits as a security code.
func NewSecurityCode(digits string) SecurityCode { return SecurityCode{newSecret(digits)} }

// SecurityCodeFromBytes wraps digits as a security code without copying them (see PANFromBytes).
func SecurityCodeFromBytes(digits []byte) SecurityCode { return SecurityCode{secret{d: digits}} }

// Reveal returns the digits. Call it only to hand the code to a processor.
func (c SecurityCode) Reveal() string { return c.s.reveal() }

// Len returns the number of digits.
func (c SecurityCode) Len() int { return len(c.s.d) }

// Wipe overwrites the digits in memory.
func (c SecurityCode) Wipe() { c.s.wipe() }

// String returns a fixed mask.
func (c SecurityCode) String() string { return "***" }

// GoString returns a fixed mask.
func (c SecurityCode) GoString() string { return "card.SecurityCode(***)" }

// Format prints a fixed mask whatever the verb.
func (c SecurityCode) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte("***")) }

// MarshalJSON encodes a fixed mask.
func (c SecurityCode) MarshalJSON() ([]byte, error) { return []byte(`"***"`), nil }

// MarshalText encodes a fixed mask.
func (c SecurityCode) MarshalText() ([]byte, error) { return []byte("***"), nil }

// LogValue logs a fixed mask.
func (c SecurityCode) LogValue() slog.Value { return slog.StringValue("***") }

// AccountNumber is a bank account number (ACH). It prints as its masked form only.
type AccountNumber struct{ s secret }

// NewAccountNumber wraps digits as an account number.
func NewAccountNumber(digits string) AccountNumber { return AccountNumber{newSecret(digits)} }

// AccountNumberFromBytes wraps digits as an account number without copying them (see PANFromBytes).
func AccountNumberFromBytes(digits []byte) AccountNumber { return AccountNumber{secret{d: digits}} }

// Reveal returns the full number. Call it only to hand it to the vault or a processor.
func (a AccountNumber) Reveal() string { return a.s.reveal() }

// Len returns the number of digits.
func (a AccountNumber) Len() int { return len(a.s.d) }

// Last4 returns the last four digits.
func (a AccountNumber) Last4() string { return a.s.last4() }

// Masked returns every digit but the last four replaced by '*'.
func (a AccountNumber) Masked() string {
	l4 := a.Last4()
	if l4 == "" {
		return "[account number]"
	}
	return strings.Repeat("*", len(a.s.d)-4) + l4
}

// Wipe overwrites the digits in memory.
func (a AccountNumber) Wipe() { a.s.wipe() }

// String returns the masked form.
func (a AccountNumber) String() string { return a.Masked() }

// GoString returns the masked form.
func (a AccountNumber) GoString() string { return "card.AccountNumber(" + a.Masked() + ")" }

// Format prints the masked form whatever the verb.
func (a AccountNumber) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.Masked())) }

// MarshalJSON encodes the masked form.
func (a AccountNumber) MarshalJSON() ([]byte, error) { return []byte(`"` + a.Masked() + `"`), nil }

// MarshalText encodes the masked form.
func (a AccountNumber) MarshalText() ([]byte, error) { return []byte(a.Masked()), nil }

// LogValue logs the masked form.
func (a AccountNumber) LogValue() slog.Value { return slog.StringValue(a.Masked()) }
