// Package redact removes payment data from what a contact center keeps: keypad tones from call
// recordings (RecordingRedactor) and card and bank account numbers from text (Text).
//
// A redacted recording keeps every sample outside the removed key presses bit-identical to the
// input, in the input's own encoding, so the rest of the call stays as evidence. Redaction never
// reports which digits it removed, only how many presses.
//
// This package reads and writes bytes and samples only; it must not import network, SIP, HTTP,
// storage or payment-service packages. It uses internal/dtmf to find presses, internal/wav for the
// recording format and internal/card for the check-digit rules.
package redact
