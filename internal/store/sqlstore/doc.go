// Package sqlstore holds what hushpay's two SQL stores (internal/store/sqlite and
// internal/store/postgres) share: the page-size rule, the opaque list cursor, the set of final
// payment states, the time precision every stored time is kept to, and the ordering of embedded
// migration files.
//
// It imports only the root hushpay package and the standard library; it must not import a
// database driver, so that each store keeps its own.
package sqlstore
