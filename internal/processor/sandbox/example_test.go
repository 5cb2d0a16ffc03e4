package sandbox_test

import (
	"context"
	"fmt"

	"github.com/hushpay/hushpay/internal/processor"
	"github.com/hushpay/hushpay/internal/processor/processortest"
	"github.com/hushpay/hushpay/internal/processor/sandbox"
)

func Example() {
	p := sandbox.New(sandbox.Options{})
	for _, number := range []string{"4242424242424242", "4000000000009995", "4000000000000119"} {
		res, err := p.Authorize(context.Background(), processortest.CardRequest(number, 1999))
		if err != nil {
			fmt.Println("error:", processor.CodeOf(err))
			continue
		}
		fmt.Println(res.Approved, res.Code)
	}
	// Output:
	// true approved
	// false insufficient_funds
	// error: processing_error
}
