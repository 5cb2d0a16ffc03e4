package postgres

import (
	"context"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

// CreateAPIKey stores a hashed API key; an existing ID or hash is KindConflict.
func (s *Store) CreateAPIKey(ctx context.Context, k *hushpay.APIKey) error {
	_, err := s.exec(ctx, "create_api_key", `INSERT INTO api_keys (`+sqlstore.APIKeyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, sqlstore.APIKeyValues(dialect, k)...)
	return err
}

// APIKeyByHash finds a key (revoked or not) by the SHA-256 of its secret; KindNotFound if none.
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (*hushpay.APIKey, error) {
	k, err := sqlstore.ScanAPIKey(s.pool.QueryRow(ctx, `SELECT `+sqlstore.APIKeyColumns+` FROM api_keys
		WHERE hash = $1`, sqlstore.NonNil(hash)))
	if sqlstore.NoRows(err) {
		return nil, hushpay.NotFound("API key")
	}
	return k, dbError("api_key_by_hash", err)
}

// ListAPIKeys returns the tenant's keys, newest first.
func (s *Store) ListAPIKeys(ctx context.Context, tenant string) ([]*hushpay.APIKey, error) {
	ks, err := sqlstore.Query(ctx, s.query, sqlstore.ScanAPIKey, `SELECT `+sqlstore.APIKeyColumns+` FROM api_keys
		WHERE tenant = $1 ORDER BY created_at DESC, id DESC`, tenant)
	return ks, dbError("list_api_keys", err)
}

// RevokeAPIKey marks the tenant's key revoked at the given time (a key revoked already keeps its
// first revocation time); KindNotFound if none.
func (s *Store) RevokeAPIKey(ctx context.Context, tenant, id string, at time.Time) error {
	n, err := s.exec(ctx, "revoke_api_key", `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1)
		WHERE tenant = $2 AND id = $3`, dialect.Time(at), tenant, id)
	if err == nil && n == 0 {
		return hushpay.NotFound("API key")
	}
	return err
}

// CreateLink stores a secure link; an existing (tenant, ID) or token hash is KindConflict.
func (s *Store) CreateLink(ctx context.Context, l *hushpay.Link) error {
	_, err := s.exec(ctx, "create_link", `INSERT INTO links (`+sqlstore.LinkColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		sqlstore.LinkValues(dialect, l)...)
	return err
}

// LinkByTokenHash finds a link by the SHA-256 of its token; KindNotFound if none.
func (s *Store) LinkByTokenHash(ctx context.Context, hash []byte) (*hushpay.Link, error) {
	l, err := sqlstore.ScanLink(s.pool.QueryRow(ctx, `SELECT `+sqlstore.LinkColumns+` FROM links
		WHERE token_hash = $1`, sqlstore.NonNil(hash)))
	if sqlstore.NoRows(err) {
		return nil, hushpay.NotFound("link")
	}
	return l, dbError("link_by_token_hash", err)
}

// UseLink marks the link used at the given time, once: a link used already is KindGone, a
// missing one KindNotFound.
func (s *Store) UseLink(ctx context.Context, tenant, id string, at time.Time) error {
	n, err := s.exec(ctx, "use_link", `UPDATE links SET used_at = $1 WHERE tenant = $2 AND id = $3 AND used_at IS NULL`,
		dialect.Time(at), tenant, id)
	if err != nil || n == 1 {
		return err
	}
	return s.explainMiss(ctx, "use_link", "links", "link", tenant, id,
		hushpay.Errorf(hushpay.KindGone, "link_used", "the link has been used already"))
}

// GetIdempotency returns the record saved for (tenant, key); KindNotFound if none.
func (s *Store) GetIdempotency(ctx context.Context, tenant, key string) (*hushpay.IdempotencyRecord, error) {
	r, err := sqlstore.ScanIdempotency(s.pool.QueryRow(ctx, `SELECT `+sqlstore.IdempotencyColumns+`
		FROM idempotency WHERE tenant = $1 AND key = $2`, tenant, key))
	if sqlstore.NoRows(err) {
		return nil, hushpay.NotFound("idempotency record")
	}
	return r, dbError("get_idempotency", err)
}

// SaveIdempotency stores the record; an existing (tenant, key) is KindConflict.
func (s *Store) SaveIdempotency(ctx context.Context, r *hushpay.IdempotencyRecord) error {
	_, err := s.exec(ctx, "save_idempotency", `INSERT INTO idempotency (`+sqlstore.IdempotencyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6)`, sqlstore.IdempotencyValues(dialect, r)...)
	return err
}

// DeleteIdempotencyBefore forgets every tenant's records created before t.
func (s *Store) DeleteIdempotencyBefore(ctx context.Context, t time.Time) (int, error) {
	n, err := s.exec(ctx, "delete_idempotency_before", `DELETE FROM idempotency WHERE created_at < $1`, dialect.Time(t))
	return int(n), err
}
