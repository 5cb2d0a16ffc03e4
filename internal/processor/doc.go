// Package processor is hushpay's port to payment gateways: the small interface every connector
// implements (Processor: authorize a charge, MOTO, with an idempotency key), the optional
// capabilities a connector may add (Refunder, InstrumentSaver), the typed Error a failed attempt
// returns, and a Registry of the configured connectors by name.
//
// Connectors live in sub-packages (sandbox, stripe) and each passes the conformance suite in
// processortest. Nothing here may hold card data beyond one request's lifetime, and no error,
// result or log line may carry it: requests carry the card in internal/card's secret types, and
// errors name fields, never their values.
//
// It imports only the root hushpay package, internal/card and the standard library: no HTTP, no
// database, no vault.
package processor
