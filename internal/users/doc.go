// Package users owns the people who sign in to hushpay's web pages (agents, supervisors, admins,
// auditors): accounts, argon2id password hashes, the TOTP second factor (RFC 6238), enrolment
// links, lockout after repeated failures, and sessions with an idle timeout and a CSRF token.
// Machines keep using API keys (internal/apikey).
//
// TOTP secrets are sealed at rest through the small SecretSealer interface (the vault implements
// it), for the purpose "totp" and the user's id, so the database never holds one in clear and a
// sealed secret copied to another user's row does not open.
//
// It records every sign-in, failure, lockout, enrolment and sign-out in the audit trail. It keeps
// its rows behind the small Store interface (implemented in users/sqlstore); it must not import
// net/http, the payment service, the vault or the main store's drivers.
package users
