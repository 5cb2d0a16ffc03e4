// Package sqlstore holds the logic hushpay's two SQL stores (internal/store/sqlite and
// internal/store/postgres) share, so that each store keeps only what differs: its SQL text, its
// driver, its transactions (and, for PostgreSQL, LISTEN/NOTIFY).
//
//   - Dialect describes the differences the shared code must know: the bind parameter style, the
//     stored form of a time (microseconds or timestamptz) and what a driver error means
//     (Classify); Dialect.Error maps a driver error to a hushpay error the same way in both.
//   - The tables' column lists (APIKeyColumns, TokenColumns, …) with, for each, the values an
//     INSERT binds (APIKeyValues, …) and the scan of a row into the domain type (ScanAPIKey, …);
//     payments and calls are JSON in a data column beside their version (Payments and Calls,
//     both JSONRows: Columns, Values, Next, Scan, Decode), decoded by DecodeJSON, which never quotes a
//     stored value in its errors.
//   - Scanner, Rows and Querier, the small interfaces both drivers' results fit, and Query, which
//     reads every row of a query; Time, a scan destination for either stored form of a time.
//   - ListPayments and ListCalls, the newest-first, cursor-paged lists: their filters, the cursor
//     condition and the page, in SQL written once with ? parameters that the dialect numbers.
//   - AppendAudit (sealing a batch after the chain's last entry; the store provides the locking
//     transaction), AuditTenant, Missed and VersionConflict (why a conditional write changed
//     nothing).
//   - The page-size and batch rules, the opaque list cursor, the set of final payment states, the
//     time precision every stored time is kept to, the ordering of embedded migration files and
//     OpenMigrated (open, then migrate, closing the store when that fails).
//
// It imports only the root hushpay package and the standard library (database/sql for its
// sentinel errors, no driver); it must not import a database driver, so that each store keeps its
// own.
package sqlstore
