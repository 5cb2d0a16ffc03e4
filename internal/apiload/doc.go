// Package apiload measures hushpay's HTTP API under load: it starts the whole HTTP stack in
// process on a loopback port (store, vault, audit trail, sandbox processor, payment service, API
// and payment pages, wired as `hushpay serve` wires them) and drives it over real HTTP with
// concurrent workers, each taking payments by secure link: create the payment, ask for a link,
// post the payment form with a test card, and read the payment back as succeeded. It records every
// step's latency in an HDR histogram and reports count, errors, throughput and percentiles.
//
// It owns the load generator and the in-process server used by cmd/apiload. It opens the database
// only through internal/store, as serve does, so it must not import a store implementation
// (internal/store/sqlite, internal/store/postgres) or the test helpers (testing,
// internal/store/storetest); and no service package may import it.
package apiload
