package sqlstore

import (
	"encoding/json"
	"fmt"

	"github.com/hushpay/hushpay"
)

// The column lists below are the tables' columns in the order that the matching Values function
// binds and the matching Scan function reads them; both stores' tables have the same columns.

// APIKeyColumns are the columns of api_keys.
const APIKeyColumns = `id, tenant, role, name, hash, created_at, revoked_at, last_used_at`

// APIKeyValues returns k's values for APIKeyColumns.
func APIKeyValues(d Dialect, k *hushpay.APIKey) []any {
	return []any{k.ID, k.Tenant, k.Role, k.Name, NonNil(k.Hash), d.Time(k.CreatedAt),
		d.NullTime(k.RevokedAt), d.NullTime(k.LastUsedAt)}
}

// ScanAPIKey reads a row of APIKeyColumns.
func ScanAPIKey(row Scanner) (*hushpay.APIKey, error) {
	var k hushpay.APIKey
	var created, revoked, lastUsed Time
	if err := row.Scan(&k.ID, &k.Tenant, &k.Role, &k.Name, &k.Hash, &created, &revoked, &lastUsed); err != nil {
		return nil, err
	}
	k.CreatedAt, k.RevokedAt, k.LastUsedAt = created.Time, revoked.Ptr(), lastUsed.Ptr()
	return &k, nil
}

// LinkColumns are the columns of links.
const LinkColumns = `tenant, id, payment_id, token_hash, channel, created_at, expires_at, used_at`

// LinkValues returns l's values for LinkColumns.
func LinkValues(d Dialect, l *hushpay.Link) []any {
	return []any{l.Tenant, l.ID, l.PaymentID, NonNil(l.TokenHash), l.Channel,
		d.Time(l.CreatedAt), d.Time(l.ExpiresAt), d.NullTime(l.UsedAt)}
}

// ScanLink reads a row of LinkColumns.
func ScanLink(row Scanner) (*hushpay.Link, error) {
	var l hushpay.Link
	var created, expires, used Time
	if err := row.Scan(&l.Tenant, &l.ID, &l.PaymentID, &l.TokenHash, &l.Channel, &created, &expires, &used); err != nil {
		return nil, err
	}
	l.CreatedAt, l.ExpiresAt, l.UsedAt = created.Time, expires.Time, used.Ptr()
	return &l, nil
}

// TokenColumns are the columns of tokens.
const TokenColumns = `tenant, id, kind, fingerprint, brand, last4, exp_month, exp_year, reusable,
	key_version, ciphertext, created_at`

// TokenValues returns t's values for TokenColumns.
func TokenValues(d Dialect, t *hushpay.Token) []any {
	return []any{t.Tenant, t.ID, t.Kind, t.Fingerprint, t.Brand, t.Last4, t.ExpMonth, t.ExpYear, t.Reusable,
		t.KeyVersion, NonNil(t.Ciphertext), d.Time(t.CreatedAt)}
}

// ScanToken reads a row of TokenColumns.
func ScanToken(row Scanner) (*hushpay.Token, error) {
	var t hushpay.Token
	var created Time
	err := row.Scan(&t.Tenant, &t.ID, &t.Kind, &t.Fingerprint, &t.Brand, &t.Last4, &t.ExpMonth, &t.ExpYear,
		&t.Reusable, &t.KeyVersion, &t.Ciphertext, &created)
	if err != nil {
		return nil, err
	}
	t.CreatedAt = created.Time
	return &t, nil
}

// DataKeyColumns are the columns of data_keys.
const DataKeyColumns = `version, kek_version, wrapped, created_at`

// DataKeyValues returns k's values for DataKeyColumns.
func DataKeyValues(d Dialect, k hushpay.DataKey) []any {
	return []any{k.Version, k.KEKVersion, NonNil(k.Wrapped), d.Time(k.CreatedAt)}
}

// ScanDataKey reads a row of DataKeyColumns.
func ScanDataKey(row Scanner) (hushpay.DataKey, error) {
	var k hushpay.DataKey
	var created Time
	if err := row.Scan(&k.Version, &k.KEKVersion, &k.Wrapped, &created); err != nil {
		return hushpay.DataKey{}, err
	}
	k.CreatedAt = created.Time
	return k, nil
}

// IdempotencyColumns are the columns of idempotency.
const IdempotencyColumns = `tenant, key, request_hash, status, body, created_at`

// IdempotencyValues returns r's values for IdempotencyColumns.
func IdempotencyValues(d Dialect, r *hushpay.IdempotencyRecord) []any {
	return []any{r.Tenant, r.Key, NonNil(r.RequestHash), r.Status, NonNil(r.Body), d.Time(r.CreatedAt)}
}

// ScanIdempotency reads a row of IdempotencyColumns.
func ScanIdempotency(row Scanner) (*hushpay.IdempotencyRecord, error) {
	var r hushpay.IdempotencyRecord
	var created Time
	if err := row.Scan(&r.Tenant, &r.Key, &r.RequestHash, &r.Status, &r.Body, &created); err != nil {
		return nil, err
	}
	r.CreatedAt = created.Time
	return &r, nil
}

// AuditColumns are the columns of audit_entries.
const AuditColumns = `tenant, seq, time, actor, action, object_type, object_id, details, prev_hash, hash`

// AuditValues returns e's values for AuditColumns; its details are stored as a JSON object (an
// empty one for none).
func AuditValues(d Dialect, e *hushpay.AuditEntry) ([]any, error) {
	details := e.Details
	if details == nil {
		details = map[string]string{}
	}
	b, err := json.Marshal(details)
	if err != nil {
		return nil, fmt.Errorf("encode audit details: %w", err)
	}
	return []any{e.Tenant, e.Seq, d.Time(e.Time), e.Actor, e.Action, e.ObjectType, e.ObjectID,
		b, NonNil(e.PrevHash), NonNil(e.Hash)}, nil
}

// ScanAudit reads a row of AuditColumns; empty details read as nil.
func ScanAudit(row Scanner) (*hushpay.AuditEntry, error) {
	var e hushpay.AuditEntry
	var at Time
	var details []byte
	err := row.Scan(&e.Tenant, &e.Seq, &at, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID,
		&details, &e.PrevHash, &e.Hash)
	if err != nil {
		return nil, err
	}
	e.Time = at.Time
	if err := DecodeJSON("audit details", details, &e.Details); err != nil {
		return nil, err
	}
	if len(e.Details) == 0 {
		e.Details = nil
	}
	return &e, nil
}

// JSONRows describes a table that stores a root type as JSON in a data column (its version aside),
// next to a version column and the columns its filters need: payments and calls.
type JSONRows[T any] struct {
	// Columns are the table's columns in the order Values binds them.
	Columns string
	what    string                                   // the type's name in errors
	version func(*T) *int64                          // the type's Version field
	values  func(d Dialect, v *T, data []byte) []any // v's values for Columns, data its JSON
}

// Payments are the rows of the payments table.
var Payments = JSONRows[hushpay.Payment]{
	Columns: `tenant, id, state, reference, call_id, created_at, expires_at, version, data`,
	what:    "payment",
	version: func(p *hushpay.Payment) *int64 { return &p.Version },
	values: func(d Dialect, p *hushpay.Payment, data []byte) []any {
		return []any{p.Tenant, p.ID, p.State, p.Reference, p.CallID, d.Time(p.CreatedAt), d.Time(p.ExpiresAt), p.Version, data}
	},
}

// Calls are the rows of the calls table; a call's created_at is its StartedAt.
var Calls = JSONRows[hushpay.Call]{
	Columns: `tenant, id, state, created_at, version, data`,
	what:    "call",
	version: func(c *hushpay.Call) *int64 { return &c.Version },
	values: func(d Dialect, c *hushpay.Call, data []byte) []any {
		return []any{c.Tenant, c.ID, c.State, d.Time(c.StartedAt), c.Version, data}
	},
}

// Values returns v's values for Columns, its JSON included.
func (r JSONRows[T]) Values(d Dialect, v *T) ([]any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return r.values(d, v, data), nil
}

// Next returns what an update of v stores: a copy one version on, and its JSON.
func (r JSONRows[T]) Next(v *T) (*T, []byte, error) {
	n := *v
	*r.version(&n)++
	data, err := json.Marshal(&n)
	return &n, data, err
}

// Scan reads a row of data and version.
func (r JSONRows[T]) Scan(row Scanner) (*T, error) {
	var data []byte
	var version int64
	if err := row.Scan(&data, &version); err != nil {
		return nil, err
	}
	return r.Decode(data, version)
}

// Decode returns the value of a stored data column at the stored version.
func (r JSONRows[T]) Decode(data []byte, version int64) (*T, error) {
	var v T
	if err := DecodeJSON(r.what, data, &v); err != nil {
		return nil, err
	}
	*r.version(&v) = version
	return &v, nil
}
