package card

import (
	"testing"
	"time"
)

func FuzzValidatePAN(f *testing.F) {
	for _, c := range stripeCards {
		f.Add(c.number)
	}
	f.Add("")
	f.Add("4242 4242 4242 4242")
	f.Add("6221260000000001")
	f.Fuzz(func(t *testing.T, digits string) {
		info, code := ValidatePAN(digits, nil)
		brand, ok := BrandOf(digits)
		if ok && brand != info.Brand {
			t.Errorf("ValidatePAN brand %q, BrandOf %q", info.Brand, brand)
		}
		if code == "" && (!Luhn(digits) || !info.Brand.ValidLength(len(digits))) {
			t.Errorf("valid number fails Luhn or its brand's lengths")
		}
		if code == "" && info.Brand != "" {
			if _, c := CheckPAN(digits, []Brand{info.Brand}); c != "" {
				t.Errorf("valid number rejected when its own brand is the only one accepted: %q", c)
			}
		}
		if b2, c2 := CheckPAN([]byte(digits), nil); b2 != info.Brand || c2 != code {
			t.Errorf("[]byte and string disagree")
		}
		if !allDigits(digits) {
			return
		}
		for n := 1; n < len(digits); n++ {
			if b, ok := BrandOf(digits[:n]); ok && b != info.Brand {
				t.Fatalf("brand %q after %d digits, %q for the whole number", b, n, info.Brand)
			}
		}
	})
}

func FuzzParseExpiry(f *testing.F) {
	for _, s := range []string{"1230", "12/30", "12-2030", " 1 / 30", "00/00", "13/99", "", "/", "12/3a"} {
		f.Add(s)
	}
	now := time.Date(2026, time.November, 25, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		e, code := ParseExpiry(s)
		if code != "" {
			if !e.IsZero() {
				t.Errorf("failed parse returned %+v", e)
			}
			return
		}
		if e.Month < 1 || e.Month > 12 || e.Year < 0 || e.Year > 9999 {
			t.Errorf("parsed %+v", e)
		}
		if e.Year >= 2000 && e.Year < 2100 {
			if back, c := ParseExpiry(e.String()); c != "" || back != e {
				t.Errorf("String %q does not parse back to %+v", e.String(), e)
			}
		}
		_ = e.Check(now)
	})
}

func FuzzValidatePostalCode(f *testing.F) {
	for _, s := range []string{"94107", "SW1A 1AA", "94107-1234", "", "-", "<script>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidatePostalCode(s) == "" && ValidatePostalCode(" "+s+" ") != "" {
			t.Errorf("surrounding spaces change the verdict")
		}
		if ValidateZIP(s) == "" && ValidatePostalCode(s) != "" {
			t.Errorf("a valid keypad ZIP is refused by the form rules")
		}
	})
}
