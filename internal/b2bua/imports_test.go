package b2bua_test

import (
	"testing"

	"github.com/hushpay/hushpay/internal/lanecheck"
)

// TestImportsStayInTheirLane keeps the SIP side away from HTTP and from card data's internals
// (doc.go): it reaches payments only through the Payments interface. The sdp package imports no
// SIP library either.
func TestImportsStayInTheirLane(t *testing.T) {
	lanecheck.Forbid(t, ".", "net/http", "github.com/hushpay/hushpay/internal/api", "github.com/hushpay/hushpay/internal/store",
		"github.com/hushpay/hushpay/internal/vault", "github.com/hushpay/hushpay/internal/card",
		"github.com/hushpay/hushpay/internal/payments", "github.com/hushpay/hushpay/internal/capture")
	lanecheck.Forbid(t, "sdp", "net/http", "github.com/emiago/sipgo", "github.com/hushpay/hushpay/internal")
}
