// Package capture is hushpay's one capture engine: it turns keypad symbols from the voice path (0-9,
// '*', '#') and whole values from the hosted payment form into validated payment fields, applying the
// SPEC's keypad rules, and keeps the captured digits in memory until they are wiped.
//
// A Session captures the fields of one payment. It reports progress only in masked form (state,
// length, brand, last four of a complete card or account number, error code, attempts); the digits
// leave it only through Values, as internal/card secret types that share the session's memory, so
// that Wipe clears every copy.
//
// Keypad rules:
//   - '#' ends the current field. A valid value completes it and capture moves on to the next field
//     that is not complete; an incomplete or invalid one makes the field invalid with its error code
//     and capture stays on it: the next digit starts a fresh entry.
//   - '*' clears the current field (attempts are kept).
//   - A field whose length is unambiguous ends by itself: the expiry at 4 digits (MMYY), the security
//     code at its brand's length (4 digits when the brand is not known yet, or '#' / the idle delay at
//     3), the card number at its brand's only or longest length (Amex 15, Mastercard 16, Visa 19; 19
//     for a number in no known range), the routing number at 9, the account type at 1 digit
//     (1 checking, 2 savings), the keypad postal code (a US ZIP code) at 9 (ZIP+4); a 5-digit ZIP
//     code and the account number (4-17 digits) end with '#'.
//   - A card number that is valid at a length its brand allows but could still grow (Visa 16) waits for
//     '#', or ends Config.IdleAdvance after the last key (Session.Tick); so does a 3-digit security code
//     while the card's brand is not known.
//   - A '#' on an empty field, or on a field whose entry has already ended invalid, is absorbed:
//     callers are told to end every field with '#'.
//   - A field can turn invalid before the caller has finished typing it: a card whose brand is not
//     accepted (as soon as the prefix names the brand) or a value longer than the field allows
//     (ErrLength). The rest of that entry is then ignored up to the caller's '#' (or '*'), so that the
//     remaining digits of one mistaken entry do not count as further attempts.
//   - Every entry that ends invalid counts one attempt; a field reaching Config.MaxAttempts turns
//     invalid with too_many_attempts and the session is Exhausted: the payment fails.
//
// The security code is checked against the card's brand when it ends and again when the card number
// completes; a code that no longer fits becomes invalid (length) without counting an attempt.
//
// It imports the root hushpay package, internal/card and the standard library only; no I/O, no
// logging, no clock of its own (every input carries its time).
package capture
