package capture_test

import (
	"fmt"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/capture"
)

// A caller keys a test card, its expiry and security code, ending each field with '#'; the agent sees
// only the masked progress.
func Example() {
	now := time.Date(2026, time.November, 25, 12, 0, 0, 0, time.UTC)
	s := capture.New(capture.Config{Method: hushpay.MethodCard}, now)
	for _, k := range []byte("4242424242424242#1230#737#") {
		now = now.Add(300 * time.Millisecond)
		s.Key(k, now)
	}
	card := s.Fields()[hushpay.FieldCardNumber]
	fmt.Println(card.State, card.Brand, card.Length, card.Last4)
	fmt.Println("complete:", s.Complete())
	v := s.Values()
	fmt.Println(v.PAN, v.Expiry, v.SecurityCode)
	s.Wipe()
	// Output:
	// complete visa 16 4242
	// complete: true
	// ************4242 12/30 ***
}
