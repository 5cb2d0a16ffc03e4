// Package sqlite is hushpay's embedded store: one SQLite file (modernc.org/sqlite, pure Go) in WAL
// mode, implementing hushpay.Store.
//
// Writes go through a single connection whose transactions begin IMMEDIATE, so writers in this
// process queue instead of failing with SQLITE_BUSY, and the audit trail's read-last-then-append
// is serialized; other processes opening the same file wait up to the busy timeout. Reads use a
// separate pool of read-only connections and run concurrently with the writer (WAL).
//
// Every time is stored as microseconds since the Unix epoch. Payments and calls are stored as JSON
// of the root types plus the columns their filters need; no table holds card data. Migrations are
// embedded (migrations/NNNN_name.sql) and recorded in schema_migrations; Open applies them,
// OpenWithoutMigrate followed by Migrate reports which ones it applied (for `hushpay migrate`).
//
// It imports the root hushpay package, internal/store/sqlstore and the SQLite driver; nothing of
// hushpay's other internals.
package sqlite
