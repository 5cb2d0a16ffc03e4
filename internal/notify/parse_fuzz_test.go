package notify_test

import (
	"strings"
	"testing"

	"github.com/hushpay/hushpay/internal/notify"
)

func FuzzParseSMTPURL(f *testing.F) {
	f.Add("smtp://user:pass@mail.example.com:587?from=pay@example.com")
	f.Add("smtp://[::1]?from=a@b")
	f.Fuzz(func(t *testing.T, raw string) {
		s, err := notify.ParseSMTPURL(raw)
		if err != nil {
			if s != nil || strings.Contains(err.Error(), raw) && len(raw) > 20 {
				t.Fatalf("error echoes the setting or returns a sender: %v", err)
			}
			return
		}
		if s.From == "" || s.Addr == "" {
			t.Fatalf("accepted without a sender or address: %+v", s)
		}
	})
}

func FuzzParseSMSURL(f *testing.F) {
	f.Add("https://AC123:token@api.twilio.com?from=%2B15005550006")
	f.Add("https://AC123@api.twilio.com")
	f.Fuzz(func(t *testing.T, raw string) {
		tw, err := notify.ParseSMSURL(raw)
		if err != nil {
			return
		}
		if tw.AccountSID == "" || tw.AuthToken == "" || tw.From == "" || strings.Contains(tw.BaseURL, "@") {
			t.Fatalf("accepted an incomplete setting or kept credentials in the base URL: %+v", tw.BaseURL)
		}
	})
}
