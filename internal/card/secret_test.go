package card

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
)

// secrets returns fresh secret values holding public test data, with the digits that must never be
// printed and the masked form each must print instead.
func secrets() []struct {
	name   string
	value  any
	digits string
	masked string
} {
	return []struct {
		name   string
		value  any
		digits string
		masked string
	}{
		{"PAN", NewPAN("4242424242424242"), "4242424242424242", "************4242"},
		{"PAN from bytes", PANFromBytes([]byte("378282246310005")), "378282246310005", "***********0005"},
		{"security code", NewSecurityCode("737"), "737", "***"},
		{"security code from bytes", SecurityCodeFromBytes([]byte("7373")), "7373", "***"},
		{"account number", NewAccountNumber("000123456789"), "000123456789", "********6789"},
		{"account number from bytes", AccountNumberFromBytes([]byte("000111111116")), "000111111116", "********1116"},
	}
}

func TestSecretsPrintOnlyMasked(t *testing.T) {
	for _, s := range secrets() {
		type wrapper struct {
			Secret any
			Ptr    any
		}
		w := wrapper{Secret: s.value, Ptr: &s.value}
		sinks := map[string]string{
			"%v":          fmt.Sprintf("%v", s.value),
			"%s":          fmt.Sprintf("%s", s.value),
			"%+v":         fmt.Sprintf("%+v", s.value),
			"%#v":         fmt.Sprintf("%#v", s.value),
			"%q":          fmt.Sprintf("%q", s.value),
			"%x":          fmt.Sprintf("%x", s.value),
			"%d":          fmt.Sprintf("%d", s.value),
			"in a struct": fmt.Sprintf("%+v %#v", w, w),
			"in a slice":  fmt.Sprint([]any{s.value}),
			"error":       fmt.Errorf("authorize: %v: %w", s.value, errors.New("declined")).Error(),
			"json":        mustJSON(t, map[string]any{"v": s.value}),
			"slog json":   logLine(slog.NewJSONHandler, s.value),
			"slog text":   logLine(slog.NewTextHandler, s.value),
		}
		for sink, out := range sinks {
			t.Run(s.name+"/"+sink, func(t *testing.T) {
				if strings.Contains(out, s.digits) {
					t.Errorf("output holds the digits: %s", out)
				}
				if !strings.Contains(out, s.masked) {
					t.Errorf("output %q lacks the masked form %q", out, s.masked)
				}
			})
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func logLine[H slog.Handler](newHandler func(w io.Writer, o *slog.HandlerOptions) H, v any) string {
	var buf bytes.Buffer
	logger := slog.New(newHandler(&buf, nil))
	logger.Info("captured", "value", v, slog.Any("any", v), slog.Group("g", "nested", v))
	return buf.String()
}

func TestRevealReturnsTheDigits(t *testing.T) {
	if got := NewPAN("4242424242424242").Reveal(); got != "4242424242424242" {
		t.Errorf("PAN.Reveal = %q", got)
	}
	if got := NewSecurityCode("737").Reveal(); got != "737" {
		t.Errorf("SecurityCode.Reveal = %q", got)
	}
	if got := NewAccountNumber("000123456789").Reveal(); got != "000123456789" {
		t.Errorf("AccountNumber.Reveal = %q", got)
	}
}

func TestWipeZeroesEveryCopy(t *testing.T) {
	panBytes := []byte("4242424242424242")
	pan := PANFromBytes(panBytes)
	panCopy := pan
	cvvBytes := []byte("737")
	cvv := SecurityCodeFromBytes(cvvBytes)
	acctBytes := []byte("000123456789")
	acct := AccountNumberFromBytes(acctBytes)

	panCopy.Wipe()
	cvv.Wipe()
	acct.Wipe()

	for name, b := range map[string][]byte{"PAN": panBytes, "security code": cvvBytes, "account number": acctBytes} {
		if !bytes.Equal(b, make([]byte, len(b))) {
			t.Errorf("%s bytes after Wipe = %v, want zeros", name, b)
		}
	}
	if pan.Last4() != "" || pan.Masked() != "[card number]" || acct.Masked() != "[account number]" {
		t.Errorf("after Wipe: PAN %q, account %q; want the placeholders", pan.Masked(), acct.Masked())
	}
	wiped := NewPAN("5555555555554444")
	wiped.Wipe()
	if strings.ContainsAny(wiped.Reveal(), "123456789") {
		t.Errorf("NewPAN's digits survive Wipe")
	}
}

func TestShortAndEmptySecretsMaskFully(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"zero PAN", PAN{}.String(), "[card number]"},
		{"three-digit PAN", NewPAN("424").String(), "[card number]"},
		{"zero account", AccountNumber{}.String(), "[account number]"},
		{"zero security code", SecurityCode{}.String(), "***"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
