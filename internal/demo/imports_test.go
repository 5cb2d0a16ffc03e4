package demo

import (
	"testing"

	"github.com/hushpay/hushpay/internal/lanecheck"
)

// TestImportsStayInTheirLane keeps the demo on the service side of hushpay's boundaries (doc.go):
// no HTTP, no API, no store implementation, no vault, no card internals.
func TestImportsStayInTheirLane(t *testing.T) {
	lanecheck.Forbid(t, ".", "net/http", "github.com/hushpay/hushpay/internal/api", "github.com/hushpay/hushpay/internal/store",
		"github.com/hushpay/hushpay/internal/vault", "github.com/hushpay/hushpay/internal/card",
		"github.com/hushpay/hushpay/internal/capture")
}
