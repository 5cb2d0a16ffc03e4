// Package vault encrypts stored payment instruments: envelope encryption in the style of HashiCorp
// Vault's barrier, keyed HMAC fingerprints, and key rotation.
//
// Keys, from the outside in:
//
//	key-encryption keys (KEKs)   KeyRing, 32 bytes each, by version, from HUSHPAY_KEK (or the dev-kek
//	                             file); never stored by hushpay, one of them current.
//	data keys                    32 random bytes each, by version, stored only wrapped:
//	                             nonce ‖ AES-256-GCM_KEK(data key, AAD = "hushpay/data-key/v1|<version>|<kek version>").
//	                             The newest is active: new tokens are sealed under it.
//	token ciphertext             data key version (uint32 big-endian) ‖ 12-byte nonce ‖
//	                             AES-256-GCM(instrument, AAD = "hushpay/token/v1|<tenant>|<token id>"),
//	                             so a ciphertext copied to another row, or another tenant, fails to open.
//	sealed secret                SealSecret(purpose, id, secret), for small secrets that are not
//	                             instruments (the web users' TOTP seeds): the same layout,
//	                             AES-256-GCM under a key derived for the purpose, AAD =
//	                             "hushpay/secret/v1|<purpose>|<id>", so a sealed value moved to another
//	                             row or used for another purpose fails to open.
//
// A data key is never used directly: HKDF-SHA256 derives from it the AES-256-GCM key that seals
// tokens ("hushpay/data-key/aes-256-gcm") and, from the oldest data key only, the fingerprint root
// key ("hushpay/fingerprint/v1"). Each tenant's fingerprint key is derived from that root with the
// tenant in the HKDF info, and a fingerprint is HMAC-SHA256(tenant key, number) (PCI DSS 3.5.1.1:
// a keyed cryptographic hash). Pinning the root to the oldest data key keeps fingerprints stable
// across data-key rotation, and KEK rotation only re-wraps data keys, so fingerprints never change;
// the root key is as well protected as any data key (stored only wrapped by the KEK). For sealed
// secrets, every data key gives a secret root ("hushpay/secret-root/v1") and that root one key per
// purpose ("hushpay/secret/v1|<purpose>"); a purpose never holds '|', so the AAD reads one way.
//
// Rotation without downtime: RotateDataKey adds a data key that becomes active (older ones still
// open their tokens) and Rewrap re-seals old tokens under it in batches; after a new KEK is added to
// the ring, RewrapDataKeys re-wraps every data key under it, and the old KEK can then be dropped.
//
// The security code is never part of an Instrument: it is never encrypted at rest, nor stored.
//
// The vault imports only the root hushpay package, internal/card and the standard library; it does
// no logging and never puts key material or instrument data in an error.
package vault
