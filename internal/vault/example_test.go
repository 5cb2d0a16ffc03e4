package vault_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
	"github.com/hushpay/hushpay/internal/vault"
)

func Example() {
	ctx := context.Background()
	// In production the ring comes from HUSHPAY_KEK; the store is hushpay's database.
	kr, err := vault.ParseKeyRing("1:" + base64.StdEncoding.EncodeToString(make([]byte, vault.KeySize)))
	if err != nil {
		panic(err)
	}
	store := newMemStore()
	v, err := vault.New(ctx, store, kr, hushpay.SystemClock{})
	if err != nil {
		panic(err)
	}

	tok, err := v.Tokenize("tenant_a", vault.Instrument{
		PAN: card.NewPAN("4242424242424242"), Brand: card.Visa, ExpMonth: 12, ExpYear: 2030,
	}, false)
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(tok.ID, "tok_"), tok.Kind, tok.Brand, tok.Last4, tok.KeyVersion)

	in, err := v.Open(tok)
	if err != nil {
		panic(err)
	}
	defer in.Wipe()
	fmt.Println(in.PAN) // secret types print masked
	// Output:
	// true card visa 4242 1
	// ************4242
}
