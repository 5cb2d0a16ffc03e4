package vault_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
	"github.com/hushpay/hushpay/internal/vault"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

var testNow = time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)

// newKey returns a fresh random key-encryption key in base64.
func newKey(t testing.TB) string {
	t.Helper()
	b := make([]byte, vault.KeySize)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// ring parses a key ring from "version:key" entries.
func ring(t testing.TB, entries ...string) *vault.KeyRing {
	t.Helper()
	kr, err := vault.ParseKeyRing(strings.Join(entries, ","))
	if err != nil {
		t.Fatalf("ParseKeyRing: %v", err)
	}
	return kr
}

func newVault(t testing.TB, store hushpay.KeyStore, kr *vault.KeyRing) *vault.Vault {
	t.Helper()
	v, err := vault.New(context.Background(), store, kr, fixedClock{testNow})
	if err != nil {
		t.Fatalf("vault.New: %v", err)
	}
	return v
}

func visa() vault.Instrument {
	return vault.Instrument{PAN: card.NewPAN("4242424242424242"), Brand: card.Visa, ExpMonth: 12, ExpYear: 2030}
}

func amex() vault.Instrument {
	return vault.Instrument{PAN: card.NewPAN("378282246310005"), Brand: card.Amex, ExpMonth: 1, ExpYear: 2029}
}

func bank() vault.Instrument {
	return vault.Instrument{RoutingNumber: "110000000", Account: card.NewAccountNumber("000123456789"), AccountType: "checking"}
}

// same reports whether two instruments hold the same data.
func same(a, b vault.Instrument) bool {
	return a.PAN.Reveal() == b.PAN.Reveal() && a.Brand == b.Brand && a.ExpMonth == b.ExpMonth &&
		a.ExpYear == b.ExpYear && a.RoutingNumber == b.RoutingNumber &&
		a.Account.Reveal() == b.Account.Reveal() && a.AccountType == b.AccountType
}

// shown is what a token shows in clear.
type shown struct {
	Kind, Brand, Last4 string
	ExpMonth, ExpYear  int
	Reusable           bool
}

func TestTokenizeThenOpen(t *testing.T) {
	v := newVault(t, newMemStore(), ring(t, "1:"+newKey(t)))
	cases := []struct {
		name     string
		in       vault.Instrument
		reusable bool
		want     shown
	}{
		{"a Visa card", visa(), false, shown{Kind: "card", Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2030}},
		{"a reusable Amex card", amex(), true, shown{Kind: "card", Brand: "amex", Last4: "0005", ExpMonth: 1, ExpYear: 2029, Reusable: true}},
		{"a bank account", bank(), false, shown{Kind: "bank", Last4: "6789"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := v.Tokenize("tenant_a", tc.in, tc.reusable)
			if err != nil {
				t.Fatalf("Tokenize: %v", err)
			}
			got := shown{Kind: tok.Kind, Brand: tok.Brand, Last4: tok.Last4, ExpMonth: tok.ExpMonth, ExpYear: tok.ExpYear, Reusable: tok.Reusable}
			if got != tc.want {
				t.Errorf("token shows %+v, want %+v", got, tc.want)
			}
			if tok.Tenant != "tenant_a" || tok.KeyVersion != 1 || !tok.CreatedAt.Equal(testNow) || tok.Fingerprint == "" {
				t.Errorf("token tenant %q, key version %d, created %v, fingerprint %q", tok.Tenant, tok.KeyVersion, tok.CreatedAt, tok.Fingerprint)
			}
			opened, err := v.Open(tok)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !same(opened, tc.in) {
				t.Errorf("Open returned another instrument than was tokenized")
			}
		})
	}
}

func TestCiphertextIsBoundToItsRow(t *testing.T) {
	v := newVault(t, newMemStore(), ring(t, "1:"+newKey(t)))
	tok, err := v.Tokenize("tenant_a", visa(), false)
	if err != nil {
		t.Fatal(err)
	}
	other, err := v.Tokenize("tenant_a", amex(), false)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		modify func(c *hushpay.Token)
	}{
		{"another tenant", func(c *hushpay.Token) { c.Tenant = "tenant_b" }},
		{"another token id", func(c *hushpay.Token) { c.ID = other.ID }},
		{"a tenant that swallows the id separator", func(c *hushpay.Token) { c.Tenant, c.ID = "tenant_a|"+c.ID[:4], c.ID[4:] }},
		{"another token's ciphertext", func(c *hushpay.Token) { c.Ciphertext = other.Ciphertext }},
		{"another key version in the row", func(c *hushpay.Token) { c.KeyVersion = 2 }},
		{"a truncated ciphertext", func(c *hushpay.Token) { c.Ciphertext = c.Ciphertext[:20] }},
		{"no ciphertext", func(c *hushpay.Token) { c.Ciphertext = nil }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			moved := *tok
			tc.modify(&moved)
			if _, err := v.Open(&moved); err == nil {
				t.Fatal("Open succeeded")
			}
		})
	}
	if _, err := v.Open(tok); err != nil {
		t.Fatalf("the untouched token does not open: %v", err)
	}
}

func TestEveryTamperedByteFails(t *testing.T) {
	v := newVault(t, newMemStore(), ring(t, "1:"+newKey(t)))
	tok, err := v.Tokenize("tenant_a", visa(), false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tok.Ciphertext {
		tampered := *tok
		tampered.Ciphertext = bytes.Clone(tok.Ciphertext)
		tampered.Ciphertext[i] ^= 0x01
		if _, err := v.Open(&tampered); err == nil {
			t.Errorf("Open succeeded with byte %d of %d flipped", i, len(tok.Ciphertext))
		}
	}
}

func TestOpenErrorsShowNoData(t *testing.T) {
	v := newVault(t, newMemStore(), ring(t, "1:"+newKey(t)))
	tok, err := v.Tokenize("tenant_a", visa(), false)
	if err != nil {
		t.Fatal(err)
	}
	tok.Tenant = "tenant_b"
	_, err = v.Open(tok)
	if err == nil || strings.Contains(err.Error(), "4242") || hushpay.KindOf(err) != hushpay.KindOther {
		t.Fatalf("Open error %v: want an internal error without card digits", err)
	}
}

func TestNoCardDigitsInTokens(t *testing.T) {
	v := newVault(t, newMemStore(), ring(t, "1:"+newKey(t)))
	for _, in := range []vault.Instrument{visa(), amex(), bank()} {
		tok, err := v.Tokenize("tenant_a", in, false)
		if err != nil {
			t.Fatal(err)
		}
		number := in.PAN.Reveal() + in.Account.Reveal()
		middle := number[:len(number)-4] // all but the last four, which the token shows
		for _, form := range []string{tok.ID, tok.Fingerprint, string(tok.Ciphertext), fmt.Sprintf("%x", tok.Ciphertext)} {
			if strings.Contains(form, number) || strings.Contains(form, middle) {
				t.Errorf("the token's id, fingerprint or ciphertext holds the number")
			}
		}
	}
}

func TestTokenIDsAreRandomAndNeverDigits(t *testing.T) {
	v := newVault(t, newMemStore(), ring(t, "1:"+newKey(t)))
	seen := map[string]bool{}
	for range 2000 {
		tok, err := v.Tokenize("tenant_a", visa(), false)
		if err != nil {
			t.Fatal(err)
		}
		id := tok.ID
		random, ok := strings.CutPrefix(id, "tok_")
		if !ok || len(random) < 26 { // 26 base32 characters carry 130 bits
			t.Fatalf("token id %q lacks the prefix or 128 random bits", id)
		}
		if card.Luhn(id) || card.Luhn(random) || strings.Contains(id, "4242") || longestDigitRun(id) > 3 {
			t.Fatalf("token id %q holds digits that could read as card data", id)
		}
		if seen[id] {
			t.Fatalf("token id %q issued twice", id)
		}
		seen[id] = true
	}
}

func longestDigitRun(s string) int {
	longest, run := 0, 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

func TestFingerprints(t *testing.T) {
	store := newMemStore()
	v := newVault(t, store, ring(t, "1:"+newKey(t)))
	const pan, other = "4242424242424242", "5555555555554444"
	a1, a2 := v.Fingerprint("tenant_a", pan), v.Fingerprint("tenant_a", pan)
	if a1 != a2 {
		t.Error("one card has two fingerprints in one tenant")
	}
	if v.Fingerprint("tenant_b", pan) == a1 {
		t.Error("one card has the same fingerprint in two tenants")
	}
	if v.Fingerprint("tenant_a", other) == a1 {
		t.Error("two cards have the same fingerprint")
	}
	// A fingerprint is hex of a keyed hash under a random key, so any 4-digit run turns up in
	// about one in a thousand (a check for "4242" failed once); the card number and its first six
	// digits must not (a chance of about 3 in a million for the six).
	if strings.Contains(a1, pan) || strings.Contains(a1, pan[:6]) {
		t.Errorf("fingerprint %q shows card digits", a1)
	}
	if _, err := v.RotateDataKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v.Fingerprint("tenant_a", pan) != a1 {
		t.Error("data key rotation changed a fingerprint")
	}
	for _, in := range []vault.Instrument{visa(), bank()} {
		tok, err := v.Tokenize("tenant_a", in, false)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Fingerprint != v.FingerprintOf("tenant_a", &in) {
			t.Errorf("a %s token's fingerprint differs from FingerprintOf its instrument", tok.Kind)
		}
	}
	if newVault(t, newMemStore(), ring(t, "1:"+newKey(t))).Fingerprint("tenant_a", pan) == a1 {
		t.Error("two vaults with different keys give one card the same fingerprint: the hash is not keyed")
	}
}
