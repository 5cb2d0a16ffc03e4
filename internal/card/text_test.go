package card

import "testing"

func TestContainsPAN(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"4242424242424242", true},
		{"pay with 4242 4242 4242 4242 please", true},
		{"card=5555-5555-5555-4444;", true},
		{"amex 378282246310005", true},
		{"4242424242424241", false},                // bad check digit
		{"42424242424242420", false},               // 17 digits, Luhn fails as a whole
		{"1234 4242424242424242 0000 0000", false}, // 28 digits in one run: judged whole
		{"INV-2026-000123", false},
		{"call +1 415 555 0100", false},
		{"4242  4242 4242 4242", false}, // a double space ends the run
		{"", false},
		{"4222222222222", true}, // 13-digit Visa test number
		{"x4000000000000002y", true},
		{"-4242424242424242-", true},
		{"424242424242", false},            // 12 digits
		{"4242--4242-4242-4242", false},    // a double dash splits the run
		{"pay_01JD4242 and 424242", false}, // short runs
		{"2026-11-25T19:42:06.123456Z", false},
	} {
		if got := ContainsPAN(tc.text); got != tc.want {
			t.Errorf("ContainsPAN(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func FuzzContainsPAN(f *testing.F) {
	for _, s := range []string{"4242 4242 4242 4242", "INV-1", "5555-5555-5555-4444x", "0000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ContainsPAN(s) && len(s) < 13 {
			t.Fatalf("a card number in %d bytes", len(s))
		}
	})
}
