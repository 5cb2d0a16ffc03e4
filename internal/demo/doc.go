// Package demo is `hushpay demo`: a complete keypad payment on one machine. A simulated caller and a
// simulated agent phone (SIP user agents on sipgo, sending and receiving 20 ms PCMU RTP) place a
// real call through hushpay's B2BUA and media relay on loopback; the caller keys a public test card
// as in-band tones and RFC 4733 events while the agent's desktop (played by the demo through the
// payment service) watches masked progress and submits. The demo then decodes what the agent phone
// received and reports what the agent heard, what the agent saw and the authorization result, and
// fails when any of it is not as it should be, so it doubles as a smoke test.
//
// It owns the simulated phones, the scenario and its report. It uses hushpay's own packages
// (b2bua, media, dtmf, payments) the way `hushpay serve` wires them and must not import net/http,
// internal/api, a store implementation or the vault: its owner hands it the payment service and
// the call store. It prints no card digit beyond the masked forms the agent's desktop shows.
package demo
