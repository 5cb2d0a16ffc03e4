// Package sandbox is hushpay's built-in payment processor: deterministic, in memory, and modelled
// on a gateway's test mode. Outcomes follow the public Stripe test cards and test bank accounts,
// so the same numbers behave the same here and against a real gateway's test mode (see
// outcome.go for the table).
//
// The sandbox keeps charges, refunds, saved instruments and idempotency records in memory only,
// for the life of the process, and keeps no card data: idempotency compares a keyed digest of the
// request, and a saved instrument remembers only the outcome its card would have, its brand and its
// last four digits.
//
// It imports only the root hushpay package, internal/card, internal/processor and the standard
// library.
package sandbox
