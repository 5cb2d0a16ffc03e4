// Package hushpay holds the domain of the hushpay secure payment gateway: payments and their
// masked fields, calls, tokens, tenants, API keys and roles, the audit trail, and the interfaces
// (Store, Clock) that the adapters under internal/ implement.
//
// The root package imports nothing from internal/ and nothing that touches the network, the disk
// or a database: it is the vocabulary every other package speaks. No type here ever holds a card
// number, security code or bank account number; those live only in internal/card's secret types,
// in memory, for as long as a payment needs them.
package hushpay
