package api

import (
	"testing"

	"github.com/hushpay/hushpay/internal/lanecheck"
)

// TestImportsStayInTheirLane keeps the API away from card data's internals: it talks to the payment
// service, never to the vault, the capture engine, a processor or a store implementation.
func TestImportsStayInTheirLane(t *testing.T) {
	lanecheck.Forbid(t, ".",
		"github.com/hushpay/hushpay/internal/vault",
		"github.com/hushpay/hushpay/internal/capture",
		"github.com/hushpay/hushpay/internal/processor",
		"github.com/hushpay/hushpay/internal/store",
		"github.com/hushpay/hushpay/internal/card")
}
