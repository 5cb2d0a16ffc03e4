// Package b2bua is hushpay's SIP back-to-back user agent: it answers a call from the carrier
// (the caller leg), places the onward call to the contact center by its route table (the agent
// leg, which carries X-Hushpay-Call-Id), anchors both legs' media on an internal/media Relay,
// relays what happens on one dialog to the other (provisional responses and early media, final
// responses, CANCEL, BYE, re-INVITE and UPDATE, session timers), answers OPTIONS, and captures
// keypad digits sent as SIP INFO. It keeps each call as a hushpay.Call in the store, feeds the
// caller's digits to the call's payment and turns the relay's masking on while the call is
// secure. docs/voice.md tells what works and what does not yet.
//
// It builds on github.com/emiago/sipgo and internal/b2bua/sdp. It must not import net/http,
// internal/api, a store implementation, the vault or card packages: it sees payments only
// through the Payments interface and never holds a digit longer than one call of Payments.Key,
// and never logs one.
package b2bua
