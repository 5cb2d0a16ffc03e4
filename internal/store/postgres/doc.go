// Package postgres is hushpay's scale-out store: PostgreSQL through a pgx connection pool,
// implementing hushpay.Store so that several hushpay nodes share one database.
//
// Optimistic versions keep concurrent updates from different nodes apart; AppendAudit takes a
// transaction-scoped advisory lock per tenant (pg_advisory_xact_lock) so that every node appends
// to a tenant's chain one at a time; triggers make the audit table append-only (a test that must
// tamper with it switches them off as the table's owner: ALTER TABLE audit_entries DISABLE TRIGGER
// USER).
//
// Tables live in the connection's current schema: add search_path=NAME to the URL's query to use
// another one (the tests do, with one fresh schema per test). Migrations are embedded
// (migrations/NNNN_name.sql), recorded in schema_migrations and applied in one transaction under
// an advisory lock, so nodes starting together migrate once. Open applies them; OpenWithoutMigrate
// followed by Migrate reports which ones it applied (for `hushpay migrate`).
//
// Notify and Listen carry short notifications between the nodes (NOTIFY/LISTEN): Listen keeps a
// connection of its own outside the pool, reconnects with backoff when it is lost, and scopes each
// channel to the schema so that installations sharing a database do not hear each other.
//
// Dump writes every table's rows as text, for tests that scan the database for card numbers.
//
// It imports the root hushpay package, internal/store/sqlstore and pgx; nothing of hushpay's other
// internals.
package postgres
