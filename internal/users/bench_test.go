package users_test

import (
	"testing"

	"github.com/hushpay/hushpay/internal/users"
)

// BenchmarkHashPassword measures one argon2id hash at the production parameters: the cost of a
// sign-in (and of an attacker's guess).
func BenchmarkHashPassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := users.HashPassword("correct horse battery", users.DefaultArgon2); err != nil {
			b.Fatal(err)
		}
	}
}
