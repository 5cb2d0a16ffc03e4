// Package store opens hushpay's database named by HUSHPAY_DATABASE: Open picks the embedded SQLite
// store (sqlite:PATH, relative to the data directory) or the PostgreSQL store (postgres://… or
// postgresql://…) and returns it as a hushpay.Store with its migrations applied; Migrate applies
// them alone and says which, for `hushpay migrate`.
//
// The stores themselves live in internal/store/sqlite and internal/store/postgres, the code they
// share in internal/store/sqlstore, and the conformance suite both pass in internal/store/storetest.
// This package only chooses between them; it must not import the service, API or vault packages.
package store
