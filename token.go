package hushpay

import "time"

// Token is a vaulted payment instrument. Its ID carries no card data; the card or bank details are
// in Ciphertext, sealed by the vault under data key KeyVersion with the token's identity (tenant and
// ID) as additional data. The security code is never part of a token.
type Token struct {
	ID          string    `json:"id"`
	Tenant      string    `json:"tenant"`
	Kind        string    `json:"kind"`        // "card" or "bank"
	Fingerprint string    `json:"fingerprint"` // keyed HMAC of the number, to find repeat cards
	Brand       string    `json:"brand,omitempty"`
	Last4       string    `json:"last4"`
	ExpMonth    int       `json:"exp_month,omitempty"`
	ExpYear     int       `json:"exp_year,omitempty"`
	Reusable    bool      `json:"reusable"`
	KeyVersion  int       `json:"key_version"`
	Ciphertext  []byte    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}

// DataKey is one version of a data-encryption key, stored only wrapped by a key-encryption key.
type DataKey struct {
	Version    int       `json:"version"`
	KEKVersion int       `json:"kek_version"` // which key-encryption key wrapped it
	Wrapped    []byte    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
}

// Link is a secure payment link's server-side record. Only a hash of the link token is stored.
type Link struct {
	ID        string     `json:"id"`
	Tenant    string     `json:"tenant"`
	PaymentID string     `json:"payment_id"`
	TokenHash []byte     `json:"-"`       // SHA-256 of the token in the URL
	Channel   string     `json:"channel"` // "chat", "email" or "sms"
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at,omitempty"`
}

// IdempotencyRecord is the first response to a request made with an Idempotency-Key.
type IdempotencyRecord struct {
	Tenant      string
	Key         string
	RequestHash []byte // hash of method, path and body: another body with the same key is a conflict
	Status      int
	Body        []byte
	CreatedAt   time.Time
}

// AuditEntry is one link of a tenant's hash-chained audit trail. Details never hold card data.
type AuditEntry struct {
	Tenant     string            `json:"tenant"`
	Seq        int64             `json:"seq"` // 1, 2, 3, … per tenant
	Time       time.Time         `json:"time"`
	Actor      string            `json:"actor"`
	Action     string            `json:"action"` // e.g. "payment.created"
	ObjectType string            `json:"object_type"`
	ObjectID   string            `json:"object_id"`
	Details    map[string]string `json:"details,omitempty"`
	PrevHash   []byte            `json:"prev_hash"`
	Hash       []byte            `json:"hash"`
}
