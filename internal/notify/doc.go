// Package notify delivers secure payment links to callers: email over SMTP (plain or STARTTLS,
// a plain-text and an HTML part) and SMS through a small Provider interface with one
// Twilio-compatible HTTP connector. Both retry on temporary failures.
//
// A message holds only the link, the merchant and the amount (payments.LinkMessage). Errors name
// the channel and the server's status, never the recipient or the message. It must not import the
// store, the vault or net/http servers.
package notify
