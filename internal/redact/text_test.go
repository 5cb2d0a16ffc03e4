package redact

import (
	"strings"
	"testing"

	"github.com/hushpay/hushpay/internal/card"
)

func TestTextRedact(t *testing.T) {
	tests := []struct {
		name string
		all  bool
		in   string
		want string
	}{
		{"a card written together", false, "card 4242424242424242 ok", "card ************4242 ok"},
		{"a card in groups of four with spaces", false, "4242 4242 4242 4242", "**** **** **** 4242"},
		{"a card in groups with dashes", false, "pan=5555-5555-5555-4444;", "pan=****-****-****-4444;"},
		{"an Amex in 4-6-5 groups", false, "amex 3782 822463 10005.", "amex **** ****** *0005."},
		{"two cards on one line", false, "4242424242424242,4000000000000002", "************4242,************0002"},
		{"a card followed by an expiry in the same run of groups", false, "4242 4242 4242 4242 12 34", "**** **** **** 4242 12 34"},
		{"a number that fails the check digit is kept", false, "4242424242424241", "4242424242424241"},
		{"twelve digits are too short for a card", false, "424242424242", "424242424242"},
		{"a 20-digit run is not a card", false, "42424242424242424242", "42424242424242424242"},
		{"a phone number is kept without --all", false, "call +1 415-555-0100", "call +1 415-555-0100"},
		{"a routing number is kept without --all", false, "aba 110000000", "aba 110000000"},
		{"a routing number with a valid check digit is masked with --all", true, "aba 110000000 ok", "aba *****0000 ok"},
		{"nine digits that fail the routing check are kept with --all", true, "id 110000001", "id 110000001"},
		{"an account number is masked with --all", true, "acct 000123456789", "acct ********6789"},
		{"short numbers are kept with --all", true, "order 12345678, 2026-11-25", "order 12345678, 2026-11-25"},
		{"a card is counted as a card with --all", true, "4242424242424242", "************4242"},
		{"digits separated by four spaces are separate groups", false, "4242    4242424242424", "4242    4242424242424"},
		{"text without digits is unchanged", false, "héllo wörld", "héllo wörld"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Text{All: tt.all}).Redact(tt.in); got != tt.want {
				t.Fatalf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTextCopy(t *testing.T) {
	in := "first 4242424242424242\nnone here\nacct 000123456789 and 5555 5555 5555 4444" // no final newline
	var out strings.Builder
	stats, err := Text{All: true}.Copy(&out, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := "first ************4242\nnone here\nacct ********6789 and **** **** **** 4444"
	if out.String() != want {
		t.Fatalf("Copy wrote %q, want %q", out.String(), want)
	}
	if stats != (TextStats{Cards: 2, Accounts: 1}) {
		t.Fatalf("stats %+v, want 2 cards and 1 account", stats)
	}
}

func FuzzText(f *testing.F) {
	f.Add("4242 4242 4242 4242 and 110000000", true)
	f.Add("--1-2-3 4", false)
	f.Add("42242424242421 110000003", true)
	f.Fuzz(func(t *testing.T, s string, all bool) {
		got := (Text{All: all}).Redact(s)
		if len(got) != len(s) {
			t.Fatalf("length changed: %d -> %d", len(s), len(got))
		}
		for i := 0; i < len(s); i++ {
			if got[i] != s[i] && (got[i] != '*' || !isDigit(s[i])) {
				t.Fatalf("byte %d changed from %q to %q", i, s[i], got[i])
			}
		}
		for _, run := range strings.FieldsFunc(got, func(r rune) bool { return r < '0' || r > '9' }) {
			if len(run) >= minCardDigits && len(run) <= maxCardDigits && card.Luhn(run) {
				t.Fatalf("a card-like run of %d digits is left in the output", len(run))
			}
		}
	})
}
