package audit

import "testing"

func TestLooksLikeCardNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"4242424242424242", true},
		{"5555555555554444", true},
		{"378282246310005", true},
		{"6011111111111117", true},
		{"4222222222222", true}, // 13-digit Visa test number
		{"card: 4242 4242 4242 4242.", true},
		{"4242-4242-4242-4242", true},
		{"x4000000000000002y", true},
		{"4242424242424241", false},        // fails Luhn
		{"424242424242", false},            // 12 digits
		{"42424242424242424242", false},    // 20 digits: a run is judged whole
		{"4242  4242 4242 4242", false},    // a double space splits the run into short ones
		{"4242--4242-4242-4242", false},    // so does a double dash
		{"pay_01JD4242 and 424242", false}, // short runs
		{"2026-11-25T19:42:06.123456Z", false},
		{"", false},
		{"-4242424242424242-", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := looksLikeCardNumber(tt.in); got != tt.want {
				t.Errorf("looksLikeCardNumber(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzLooksLikeCardNumber(f *testing.F) {
	f.Add("4242 4242 4242 4242")
	f.Add("order 12345")
	f.Fuzz(func(t *testing.T, s string) {
		// Whatever surrounds a card number, it is found: appending a letter and a known card
		// keeps it a match.
		if !looksLikeCardNumber(s + " x 4242424242424242") {
			t.Errorf("a card number after %q was not found", s)
		}
	})
}
