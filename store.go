package hushpay

import (
	"context"
	"time"
)

// Store is hushpay's persistence: one interface, implemented by internal/store/sqlite (the embedded
// default) and internal/store/postgres, both held to the same conformance suite
// (internal/store/storetest).
//
// Conventions every implementation keeps:
//   - An object of another tenant is reported exactly like a missing one: KindNotFound.
//   - Creating an object whose ID (or unique key) exists is KindConflict.
//   - Update methods write only if the stored Version equals the given one, then increment the
//     Version of both the stored row and the argument; otherwise they return KindConflict
//     (optimistic concurrency across nodes).
//   - Lists are newest first (created time, then ID), at most 100 per page, with an opaque cursor.
type Store interface {
	PaymentStore
	CallStore
	TokenStore
	KeyStore
	APIKeyStore
	LinkStore
	IdempotencyStore
	AuditStore

	// Ping checks the database answers (for /readyz).
	Ping(ctx context.Context) error
	// Close releases the database; it is safe to call once all users have stopped.
	Close() error
}

// PaymentStore keeps payments.
type PaymentStore interface {
	CreatePayment(ctx context.Context, p *Payment) error
	GetPayment(ctx context.Context, tenant, id string) (*Payment, error)
	UpdatePayment(ctx context.Context, p *Payment) error
	ListPayments(ctx context.Context, tenant string, f PaymentFilter) (Page[*Payment], error)
	// ListExpiring returns up to limit payments of any tenant in a non-final state whose ExpiresAt
	// is before now, oldest first.
	ListExpiring(ctx context.Context, now time.Time, limit int) ([]*Payment, error)
	// ListByReference returns every payment of the tenant with that reference (for erasure).
	ListByReference(ctx context.Context, tenant, reference string) ([]*Payment, error)
	// DeletePaymentsBefore deletes final payments (of any tenant) created before t, and returns
	// how many; their tokens are deleted by the caller through TokenStore.
	DeletePaymentsBefore(ctx context.Context, t time.Time) (int, error)
}

// CallStore keeps calls anchored on hushpay.
type CallStore interface {
	CreateCall(ctx context.Context, c *Call) error
	GetCall(ctx context.Context, tenant, id string) (*Call, error)
	UpdateCall(ctx context.Context, c *Call) error
	ListCalls(ctx context.Context, tenant string, f CallFilter) (Page[*Call], error)
}

// TokenStore keeps vaulted instruments.
type TokenStore interface {
	CreateToken(ctx context.Context, t *Token) error
	GetToken(ctx context.Context, tenant, id string) (*Token, error)
	// FindTokens returns the tenant's tokens with that fingerprint, newest first.
	FindTokens(ctx context.Context, tenant, fingerprint string) ([]*Token, error)
	// ListTokensBelowKeyVersion returns up to limit tokens of any tenant sealed under a data key
	// older than version (for re-wrapping after rotation).
	ListTokensBelowKeyVersion(ctx context.Context, version, limit int) ([]*Token, error)
	// RewrapToken replaces a token's ciphertext and key version if its key version is still from.
	RewrapToken(ctx context.Context, tenant, id string, from int, t *Token) error
	DeleteToken(ctx context.Context, tenant, id string) error
}

// KeyStore keeps the wrapped data-encryption keys.
type KeyStore interface {
	// CreateDataKey adds a key version; an existing version is KindConflict.
	CreateDataKey(ctx context.Context, k DataKey) error
	// ListDataKeys returns every version, oldest first.
	ListDataKeys(ctx context.Context) ([]DataKey, error)
	// RewrapDataKey replaces the wrapped form of a data key (after a key-encryption-key rotation).
	RewrapDataKey(ctx context.Context, k DataKey) error
}

// APIKeyStore keeps hashed API keys.
type APIKeyStore interface {
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// APIKeyByHash finds a key by the SHA-256 of its secret; KindNotFound if none.
	APIKeyByHash(ctx context.Context, hash []byte) (*APIKey, error)
	ListAPIKeys(ctx context.Context, tenant string) ([]*APIKey, error)
	RevokeAPIKey(ctx context.Context, tenant, id string, at time.Time) error
}

// LinkStore keeps secure payment links.
type LinkStore interface {
	CreateLink(ctx context.Context, l *Link) error
	// LinkByTokenHash finds a link by the SHA-256 of its token; KindNotFound if none.
	LinkByTokenHash(ctx context.Context, hash []byte) (*Link, error)
	// UseLink marks the link used at the given time, atomically: a link already used is KindGone.
	UseLink(ctx context.Context, tenant, id string, at time.Time) error
}

// IdempotencyStore remembers responses to requests made with an Idempotency-Key.
type IdempotencyStore interface {
	GetIdempotency(ctx context.Context, tenant, key string) (*IdempotencyRecord, error)
	// SaveIdempotency stores the record; an existing (tenant, key) is KindConflict.
	SaveIdempotency(ctx context.Context, r *IdempotencyRecord) error
	// DeleteIdempotencyBefore forgets records created before t and returns how many.
	DeleteIdempotencyBefore(ctx context.Context, t time.Time) (int, error)
}

// AuditStore keeps the append-only, hash-chained audit trail.
type AuditStore interface {
	// AppendAudit appends es — entries of one tenant, in order — to that tenant's chain in one
	// transaction, serialized per tenant across every node: it reads the tenant's last entry (nil
	// when the chain is empty) and, for each entry in turn, calls seal(prev, e), which fills e.Seq,
	// e.PrevHash and e.Hash, inserts e, and takes e as the next prev. Nothing is stored if any seal
	// or insert fails. Entries of several tenants in one call are refused.
	AppendAudit(ctx context.Context, es []*AuditEntry, seal func(prev, e *AuditEntry) error) error
	// ListAudit returns up to limit entries of the tenant with Seq > afterSeq, in Seq order.
	ListAudit(ctx context.Context, tenant string, afterSeq int64, limit int) ([]*AuditEntry, error)
	// AuditTenants lists the tenants that have an audit chain.
	AuditTenants(ctx context.Context) ([]string, error)
}
