// Package audit keeps hushpay's append-only, hash-chained audit trail: Log.Record appends an entry
// to its tenant's chain through a hushpay.AuditStore, and Verify walks every tenant's chain and
// names the first broken entry.
//
// # Chain
//
// Each tenant has its own chain, numbered 1, 2, 3, … (Seq). Entry 1 has an empty PrevHash; every
// later entry's PrevHash is the Hash of the entry before it. The store serializes appends per
// tenant (AppendAudit), so the chain has neither gaps nor forks even with many nodes.
//
// # Hash
//
// Hash = SHA-256 over this encoding, where str(x) is the byte length of x as an 8-byte big-endian
// unsigned integer followed by the bytes of x, and u64/i64 are 8-byte big-endian integers:
//
//	"hushpay.audit.v1"
//	str(tenant) u64(seq) i64(time as Unix nanoseconds, UTC)
//	str(actor) str(action) str(object_type) str(object_id)
//	u64(number of details) then, for each detail in byte order of its key: str(key) str(value)
//	str(prev_hash)
//
// Every variable-length field carries its length, so no two different entries encode the same
// way (moving a character from one field to the next changes the bytes hashed). Record keeps the
// time to the microsecond, the precision both stores keep, so a stored entry hashes the same as
// the one sealed.
//
// Verification proves that no stored entry was changed, removed from the middle or re-ordered. It
// cannot see the newest entries removed from the end of a chain: compare the chain heads Verify
// reports with ones kept elsewhere for that.
//
// # No card data
//
// Details never hold card data. As defence in depth, Record refuses any field or detail that holds
// a 13 to 19 digit run (digits optionally separated by single spaces or dashes) that passes the
// Luhn check, so write times as RFC 3339 text rather than long Unix numbers.
//
// The package imports only the root hushpay package and the standard library; it must not import
// a store or the vault.
package audit
