package rfc4733_test

import (
	"fmt"
	"time"

	"github.com/hushpay/hushpay/internal/dtmf/rfc4733"
)

// A sender turns a key press into packets; a receiver on the other side reports it once, however
// many packets carried it.
func Example() {
	const pt = 96 // whatever SDP negotiated
	s := rfc4733.NewSender(rfc4733.SenderConfig{PayloadType: pt, SSRC: 0x1234}, 1)
	packets, err := s.AppendPress(nil, '5', 16000, 960) // 120 ms at 8 kHz
	if err != nil {
		panic(err)
	}
	r := rfc4733.NewReceiver(rfc4733.ReceiverConfig{PayloadType: pt})
	now := time.Now()
	for _, p := range packets {
		_ = r.ReceiveRTP(now, p, func(e rfc4733.Event) {
			fmt.Printf("%s key %c at %d for %d units\n", e.Kind, e.Press.Key, e.Press.Timestamp, e.Press.Duration)
		})
	}
	fmt.Println(len(packets), "packets")
	// Output:
	// key-down key 5 at 16000 for 0 units
	// key-up key 5 at 16000 for 960 units
	// 6 packets
}
