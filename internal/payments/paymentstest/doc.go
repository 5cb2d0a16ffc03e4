// Package paymentstest builds, for tests, what a payment service stands on: a SQLite store in the
// test's temporary directory, a development key ring there and the vault on it, a processor registry
// whose default is the sandbox processor, an audit log, and a debug logger writing to a LogBuffer.
// A test then makes the service it needs from those parts:
//
//	f := paymentstest.New(t)
//	svc, err := payments.New(payments.Config{Store: f.Store, Vault: f.Vault, Processors: f.Processors,
//		Audit: f.Audit, Logger: f.Logger})
//
// Options set what differs between tests: the clock (WithClock) and the log format (JSONLogs).
//
// It does not build the payments.Service itself: package payments' own tests use it, and they
// cannot import a package that imports payments. LogBuffer, the concurrency-safe buffer for a
// logger that several goroutines share, is for any test.
//
// It is imported by tests only.
package paymentstest
