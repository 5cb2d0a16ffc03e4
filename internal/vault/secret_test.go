package vault_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/hushpay/hushpay"
)

// testSecret is a TOTP seed in base32, the kind of secret SealSecret exists for.
const testSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

func TestSealSecretThenOpen(t *testing.T) {
	v := newVault(t, newMemStore(), ring(t, "1:"+newKey(t)))
	cases := []struct{ name, purpose, id, plain string }{
		{"a TOTP seed", "totp", "usr_a", testSecret},
		{"an empty secret", "totp", "usr_a", ""},
		{"an id with the separator in it", "api.credential", "acme|usr_b", "s3cret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sealed, err := v.SealSecret(tc.purpose, tc.id, []byte(tc.plain))
			if err != nil {
				t.Fatalf("SealSecret: %v", err)
			}
			if tc.plain != "" && bytes.Contains(sealed, []byte(tc.plain)) {
				t.Fatal("the sealed form holds the secret in clear")
			}
			if got := binary.BigEndian.Uint32(sealed); got != 1 {
				t.Errorf("sealed under data key %d, want 1", got)
			}
			plain, err := v.OpenSecret(tc.purpose, tc.id, sealed)
			if err != nil || string(plain) != tc.plain {
				t.Fatalf("OpenSecret = %q, %v", plain, err)
			}
		})
	}
	t.Run("two seals of one secret differ", func(t *testing.T) {
		a, _ := v.SealSecret("totp", "usr_a", []byte(testSecret))
		b, _ := v.SealSecret("totp", "usr_a", []byte(testSecret))
		if bytes.Equal(a, b) {
			t.Fatal("the nonce is not fresh")
		}
	})
}

func TestSealedSecretIsBoundToItsPurposeAndRow(t *testing.T) {
	v := newVault(t, newMemStore(), ring(t, "1:"+newKey(t)))
	sealed, err := v.SealSecret("totp", "usr_a", []byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 1
		return c
	}
	cases := []struct {
		name, purpose, id string
		sealed            []byte
	}{
		{"another user's row", "totp", "usr_b", sealed},
		{"another purpose", "recovery", "usr_a", sealed},
		{"a purpose that swallows the separator", "totp|usr", "_a", sealed},
		{"a flipped bit in the nonce", "totp", "usr_a", flip(5)},
		{"a flipped bit in the ciphertext", "totp", "usr_a", flip(20)},
		{"a flipped bit in the tag", "totp", "usr_a", flip(len(sealed) - 1)},
		{"an unknown data key version", "totp", "usr_a", flip(3)},
		{"a truncated value", "totp", "usr_a", sealed[:20]},
		{"nothing", "totp", "usr_a", nil},
		{"no id", "totp", "", sealed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plain, err := v.OpenSecret(tc.purpose, tc.id, tc.sealed)
			if err == nil {
				t.Fatalf("OpenSecret succeeded: %q", plain)
			}
			if bytes.Contains([]byte(err.Error()), []byte(testSecret)) {
				t.Fatal("the error holds the secret")
			}
		})
	}
}

func TestSealSecretRefusesBadLabels(t *testing.T) {
	v := newVault(t, newMemStore(), ring(t, "1:"+newKey(t)))
	cases := []struct{ name, purpose, id string }{
		{"no purpose", "", "usr_a"},
		{"a purpose with the separator", "totp|x", "usr_a"},
		{"a purpose in capitals", "TOTP", "usr_a"},
		{"no id", "totp", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.SealSecret(tc.purpose, tc.id, []byte(testSecret))
			if hushpay.KindOf(err) != hushpay.KindInvalid {
				t.Fatalf("SealSecret: %v, want an invalid-input error", err)
			}
		})
	}
}

func TestSealedSecretOpensAfterRotation(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	kr := ring(t, "1:"+newKey(t))
	v := newVault(t, store, kr)
	old, err := v.SealSecret("totp", "usr_a", []byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.RotateDataKey(ctx); err != nil {
		t.Fatal(err)
	}
	t.Run("a value sealed under the old data key still opens", func(t *testing.T) {
		if plain, err := v.OpenSecret("totp", "usr_a", old); err != nil || string(plain) != testSecret {
			t.Fatalf("OpenSecret = %q, %v", plain, err)
		}
	})
	t.Run("new values are sealed under the new data key", func(t *testing.T) {
		sealed, err := v.SealSecret("totp", "usr_a", []byte(testSecret))
		if err != nil || binary.BigEndian.Uint32(sealed) != 2 {
			t.Fatalf("sealed under %d, %v; want 2", binary.BigEndian.Uint32(sealed), err)
		}
	})
	t.Run("another node opens a value sealed under a data key it has not loaded", func(t *testing.T) {
		other := newVault(t, store, kr)
		if _, err := v.RotateDataKey(ctx); err != nil {
			t.Fatal(err)
		}
		sealed, err := v.SealSecret("totp", "usr_a", []byte(testSecret))
		if err != nil {
			t.Fatal(err)
		}
		if plain, err := other.OpenSecret("totp", "usr_a", sealed); err != nil || string(plain) != testSecret {
			t.Fatalf("OpenSecret = %q, %v", plain, err)
		}
	})
}

// FuzzOpenSecret feeds OpenSecret arbitrary sealed values, purposes and ids: it never panics,
// and only the genuine value with its own purpose and id opens.
func FuzzOpenSecret(f *testing.F) {
	v := newVault(f, newMemStore(), ring(f, "1:"+newKey(f)))
	genuine, err := v.SealSecret("totp", "usr_a", []byte(testSecret))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("totp", "usr_a", []byte{0, 0, 0, 1})
	f.Add("totp", "usr_b", make([]byte, 40))
	f.Add("", "", []byte(nil))
	f.Fuzz(func(t *testing.T, purpose, id string, sealed []byte) {
		plain, err := v.OpenSecret(purpose, id, sealed)
		if err != nil {
			return
		}
		if purpose != "totp" || id != "usr_a" || !bytes.Equal(sealed, genuine) || string(plain) != testSecret {
			t.Fatalf("a forged value opened: %q", plain)
		}
	})
}

// BenchmarkSealSecret measures sealing one TOTP secret.
func BenchmarkSealSecret(b *testing.B) {
	v := newVault(b, newMemStore(), ring(b, "1:"+newKey(b)))
	plain := []byte(testSecret)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.SealSecret("totp", "usr_a", plain); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenSecret measures opening one sealed TOTP secret (each sign-in opens one).
func BenchmarkOpenSecret(b *testing.B) {
	v := newVault(b, newMemStore(), ring(b, "1:"+newKey(b)))
	sealed, err := v.SealSecret("totp", "usr_a", []byte(testSecret))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.OpenSecret("totp", "usr_a", sealed); err != nil {
			b.Fatal(err)
		}
	}
}
