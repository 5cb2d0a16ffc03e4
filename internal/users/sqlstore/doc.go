// Package sqlstore keeps hushpay's web users and sessions in the same database as the rest of
// hushpay (SQLite through modernc.org/sqlite or PostgreSQL through pgx), in tables of its own
// (web_users, web_sessions) that it creates if missing. It opens the database URL itself, so the
// main store's schema and code stay untouched.
//
// The totp_secret column holds only the sealed secret ("sealed:" and base64 of what the
// users.SecretSealer made); a row written in clear by an older hushpay reads back as such, and the
// users.Manager seals it on its next write.
//
// It implements users.Store; it must not import the payment service or net/http.
package sqlstore
