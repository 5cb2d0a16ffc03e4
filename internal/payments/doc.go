// Package payments is hushpay's payment service: it creates payments, drives their capture sessions
// (keypad digits from the voice path, whole fields from the hosted link page), tokenizes the captured
// card in the vault, authorizes it through a processor connector, and publishes masked progress
// events. Every action lands in the audit trail.
//
// It is the only package that holds captured card data, and only in memory (internal/capture
// sessions) until authorization, after which the data is wiped. It must not import net/http.
package payments
