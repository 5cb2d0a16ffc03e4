package vault

import (
	"testing"

	"github.com/hushpay/hushpay/internal/card"
)

func FuzzDecodeInstrument(f *testing.F) {
	card1 := Instrument{PAN: card.NewPAN("4242424242424242"), Brand: card.Visa, ExpMonth: 12, ExpYear: 2030}
	bank1 := Instrument{RoutingNumber: "110000000", Account: card.NewAccountNumber("000123456789"), AccountType: "checking"}
	f.Add(encodeInstrument(nil, &card1))
	f.Add(encodeInstrument(nil, &bank1))
	f.Add([]byte{plaintextFormat, kindCard, 1, 7, 234, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := decodeInstrument(b)
		if err != nil {
			return
		}
		again, err := decodeInstrument(encodeInstrument(nil, &in))
		if err != nil {
			t.Fatalf("re-encoded instrument does not decode: %v", err)
		}
		if again.PAN.Reveal() != in.PAN.Reveal() || again.Account.Reveal() != in.Account.Reveal() ||
			again.Brand != in.Brand || again.RoutingNumber != in.RoutingNumber || again.AccountType != in.AccountType ||
			again.ExpMonth != in.ExpMonth || again.ExpYear != in.ExpYear {
			t.Fatal("an instrument changed through encode and decode")
		}
	})
}
