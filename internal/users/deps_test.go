package users

import (
	"testing"

	"github.com/hushpay/hushpay/internal/lanecheck"
)

// TestImports keeps the users package off HTTP, the payment service, the vault and the main
// store's drivers.
func TestImports(t *testing.T) {
	for _, dir := range []string{".", "sqlstore"} {
		lanecheck.Forbid(t, dir, "net/http", "github.com/hushpay/hushpay/internal/payments", "github.com/hushpay/hushpay/internal/vault",
			"github.com/hushpay/hushpay/internal/store", "github.com/hushpay/hushpay/internal/web")
	}
}
