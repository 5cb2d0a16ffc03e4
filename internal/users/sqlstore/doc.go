// Package sqlstore keeps hushpay's web users and sessions in the same database as the rest of
// hushpay (SQLite through modernc.org/sqlite or PostgreSQL through pgx), in tables of its own
// (web_users, web_sessions) that it creates if missing. It opens the database URL itself, so the
// main store's schema and code stay untouched.
//
// It implements users.Store; it must not import the payment service or net/http.
package sqlstore
