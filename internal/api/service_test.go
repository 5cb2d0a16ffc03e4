package api_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/audit"
	"github.com/hushpay/hushpay/internal/payments"
	"github.com/hushpay/hushpay/internal/processor"
	"github.com/hushpay/hushpay/internal/processor/sandbox"
	"github.com/hushpay/hushpay/internal/store/sqlite"
	"github.com/hushpay/hushpay/internal/vault"
)

// publicURL is the base of the secure links the test service issues.
const publicURL = "https://pay.example.test"

// newService returns the real payment service on the test's store, with a development key ring in
// dir and the sandbox processor, logging to logger.
func newService(t testing.TB, store *sqlite.Store, dir string, logger *slog.Logger) *payments.Service {
	t.Helper()
	ctx := context.Background()
	ring, _, err := vault.LoadOrCreateDevKeyRing(dir)
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(ctx, store, ring, hushpay.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := processor.NewRegistry("sandbox", sandbox.New(sandbox.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := payments.New(payments.Config{Store: store, Vault: v, Processors: reg, Audit: audit.New(store, hushpay.SystemClock{}),
		PublicURL: publicURL, Merchant: "Acme Health", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return svc
}
