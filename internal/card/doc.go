// Package card validates payment data (card numbers, brands, expiry dates, security codes, ABA
// routing numbers and account numbers) and holds it in secret types that print only a masked form.
//
// It imports only the root hushpay package and the standard library: no I/O, no network.
package card
