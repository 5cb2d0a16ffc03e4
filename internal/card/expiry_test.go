package card

import (
	"testing"
	"time"

	"github.com/hushpay/hushpay"
)

func TestParseExpiry(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Expiry
		code hushpay.FieldErrorCode
	}{
		{"1230", Expiry{12, 2030}, ""},
		{"0127", Expiry{1, 2027}, ""},
		{"12/30", Expiry{12, 2030}, ""},
		{"12-30", Expiry{12, 2030}, ""},
		{"12/2030", Expiry{12, 2030}, ""},
		{"12-2030", Expiry{12, 2030}, ""},
		{" 12 / 30 ", Expiry{12, 2030}, ""},
		{"1/30", Expiry{1, 2030}, ""},
		{"00/30", Expiry{}, hushpay.ErrFormat},
		{"13/30", Expiry{}, hushpay.ErrFormat},
		{"1330", Expiry{}, hushpay.ErrFormat},
		{"123", Expiry{}, hushpay.ErrFormat},
		{"12300", Expiry{}, hushpay.ErrFormat},
		{"12/3", Expiry{}, hushpay.ErrFormat},
		{"12/300", Expiry{}, hushpay.ErrFormat},
		{"123/30", Expiry{}, hushpay.ErrFormat},
		{"/30", Expiry{}, hushpay.ErrFormat},
		{"12/", Expiry{}, hushpay.ErrFormat},
		{"ab/cd", Expiry{}, hushpay.ErrFormat},
		{"12/30/1", Expiry{}, hushpay.ErrFormat},
		{"", Expiry{}, hushpay.ErrFormat},
		{"+1/30", Expiry{}, hushpay.ErrFormat},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, code := ParseExpiry(tc.in)
			if got != tc.want || code != tc.code {
				t.Errorf("ParseExpiry(%q) = %+v, %q; want %+v, %q", tc.in, got, code, tc.want, tc.code)
			}
		})
	}
}

func TestExpiryCheck(t *testing.T) {
	now := time.Date(2026, time.November, 25, 19, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		e    Expiry
		want hushpay.FieldErrorCode
	}{
		{"this month is still valid", Expiry{11, 2026}, ""},
		{"next month", Expiry{12, 2026}, ""},
		{"last month has expired", Expiry{10, 2026}, hushpay.ErrExpired},
		{"same month last year", Expiry{11, 2025}, hushpay.ErrExpired},
		{"twenty years ahead", Expiry{11, 2046}, ""},
		{"more than twenty years ahead", Expiry{12, 2046}, hushpay.ErrFormat},
		{"month zero", Expiry{0, 2027}, hushpay.ErrFormat},
		{"month thirteen", Expiry{13, 2027}, hushpay.ErrFormat},
		{"zero value", Expiry{}, hushpay.ErrFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.e.Check(now); got != tc.want {
				t.Errorf("%+v.Check = %q, want %q", tc.e, got, tc.want)
			}
		})
	}
	t.Run("last moment of the month", func(t *testing.T) {
		end := time.Date(2026, time.November, 30, 23, 59, 59, 0, time.UTC)
		if got := (Expiry{11, 2026}).Check(end); got != "" {
			t.Errorf("Check = %q on the last second of the month", got)
		}
		if got := (Expiry{11, 2026}).Check(end.Add(time.Second)); got != hushpay.ErrExpired {
			t.Errorf("Check = %q on the first second of the next month", got)
		}
	})
}

func TestExpiryFromDigits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Expiry
		code hushpay.FieldErrorCode
	}{
		{"1230", Expiry{12, 2030}, ""},
		{"0099", Expiry{0, 2099}, ""}, // month is Check's business
		{"123", Expiry{}, hushpay.ErrFormat},
		{"12a0", Expiry{}, hushpay.ErrFormat},
	} {
		got, code := ExpiryFromDigits([]byte(tc.in))
		if got != tc.want || code != tc.code {
			t.Errorf("ExpiryFromDigits(%q) = %+v, %q; want %+v, %q", tc.in, got, code, tc.want, tc.code)
		}
	}
}

func TestExpiryString(t *testing.T) {
	if got := (Expiry{3, 2031}).String(); got != "03/31" {
		t.Errorf("String = %q, want 03/31", got)
	}
}
