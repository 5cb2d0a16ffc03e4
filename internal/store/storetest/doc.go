// Package storetest is the conformance suite every hushpay.Store passes: Run drives each method of
// the interface through the conventions hushpay.Store documents (tenant isolation, conflicts,
// optimistic versions, newest-first cursor pages) and proves, with a Tamperer that edits rows
// behind the store's back, that audit.Verify notices a changed or removed audit entry.
//
// Each store's own tests call Run with a function that opens an empty store for one test (a temp
// file for SQLite, a fresh schema for PostgreSQL) and closes it at the test's cleanup.
//
// Open opens a store for one test and closes it at the test's cleanup; CheckMigrate checks a
// store's Migrate (applied once, then nothing). PostgresURL gives any test a fresh PostgreSQL
// schema (skipped without a database, failed with CI=true); BenchCreateUpdatePayment is the
// stores' shared benchmark.
//
// It is imported by tests only. It imports the root hushpay package, internal/audit, go-cmp and
// pgx (for the schema of PostgresURL); never a store package, so that stores cannot pass by
// sharing code with their judge.
package storetest
