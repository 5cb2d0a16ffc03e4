package vault_test

import (
	"testing"
)

// BenchmarkTokenize measures sealing one card (id, nonce, AES-256-GCM, fingerprint). Goal: ≤ 20 µs
// per operation on one core (go test -bench Tokenize -cpu 1), i.e. ≥ 50,000 per second per core.
func BenchmarkTokenize(b *testing.B) {
	v := newVault(b, newMemStore(), ring(b, "1:"+newKey(b)))
	in := visa()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Tokenize("tenant_a", in, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen measures opening one card token.
func BenchmarkOpen(b *testing.B) {
	v := newVault(b, newMemStore(), ring(b, "1:"+newKey(b)))
	tok, err := v.Tokenize("tenant_a", visa(), false)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		in, err := v.Open(tok)
		if err != nil {
			b.Fatal(err)
		}
		in.Wipe()
	}
}

// BenchmarkFingerprint measures one keyed fingerprint, the repeat-card lookup key.
func BenchmarkFingerprint(b *testing.B) {
	v := newVault(b, newMemStore(), ring(b, "1:"+newKey(b)))
	b.ReportAllocs()
	for b.Loop() {
		_ = v.Fingerprint("tenant_a", "4242424242424242")
	}
}
