package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/jackc/pgx/v5"
)

const apiKeyColumns = `id, tenant, role, name, hash, created_at, revoked_at, last_used_at`

// CreateAPIKey stores a hashed API key; an existing ID or hash is KindConflict.
func (s *Store) CreateAPIKey(ctx context.Context, k *hushpay.APIKey) error {
	_, err := s.exec(ctx, "create_api_key", `INSERT INTO api_keys (`+apiKeyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		k.ID, k.Tenant, k.Role, k.Name, nonNil(k.Hash), ts(k.CreatedAt), tsPtr(k.RevokedAt), tsPtr(k.LastUsedAt))
	return err
}

// APIKeyByHash finds a key (revoked or not) by the SHA-256 of its secret; KindNotFound if none.
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (*hushpay.APIKey, error) {
	k, err := scanAPIKey(s.pool.QueryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = $1`, nonNil(hash)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, hushpay.NotFound("API key")
	}
	return k, dbError("api_key_by_hash", err)
}

// ListAPIKeys returns the tenant's keys, newest first.
func (s *Store) ListAPIKeys(ctx context.Context, tenant string) ([]*hushpay.APIKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys
		WHERE tenant = $1 ORDER BY created_at DESC, id DESC`, tenant)
	if err != nil {
		return nil, dbError("list_api_keys", err)
	}
	defer rows.Close()
	var ks []*hushpay.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, dbError("list_api_keys", err)
		}
		ks = append(ks, k)
	}
	return ks, dbError("list_api_keys", rows.Err())
}

// RevokeAPIKey marks the tenant's key revoked at the given time (a key revoked already keeps its
// first revocation time); KindNotFound if none.
func (s *Store) RevokeAPIKey(ctx context.Context, tenant, id string, at time.Time) error {
	n, err := s.exec(ctx, "revoke_api_key", `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1)
		WHERE tenant = $2 AND id = $3`, ts(at), tenant, id)
	if err == nil && n == 0 {
		return hushpay.NotFound("API key")
	}
	return err
}

func scanAPIKey(row pgx.Row) (*hushpay.APIKey, error) {
	var k hushpay.APIKey
	if err := row.Scan(&k.ID, &k.Tenant, &k.Role, &k.Name, &k.Hash, &k.CreatedAt, &k.RevokedAt, &k.LastUsedAt); err != nil {
		return nil, err
	}
	k.CreatedAt, k.RevokedAt, k.LastUsedAt = k.CreatedAt.UTC(), utcPtr(k.RevokedAt), utcPtr(k.LastUsedAt)
	return &k, nil
}

const linkColumns = `tenant, id, payment_id, token_hash, channel, created_at, expires_at, used_at`

// CreateLink stores a secure link; an existing (tenant, ID) or token hash is KindConflict.
func (s *Store) CreateLink(ctx context.Context, l *hushpay.Link) error {
	_, err := s.exec(ctx, "create_link", `INSERT INTO links (`+linkColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		l.Tenant, l.ID, l.PaymentID, nonNil(l.TokenHash), l.Channel, ts(l.CreatedAt), ts(l.ExpiresAt), tsPtr(l.UsedAt))
	return err
}

// LinkByTokenHash finds a link by the SHA-256 of its token; KindNotFound if none.
func (s *Store) LinkByTokenHash(ctx context.Context, hash []byte) (*hushpay.Link, error) {
	var l hushpay.Link
	err := s.pool.QueryRow(ctx, `SELECT `+linkColumns+` FROM links WHERE token_hash = $1`, nonNil(hash)).
		Scan(&l.Tenant, &l.ID, &l.PaymentID, &l.TokenHash, &l.Channel, &l.CreatedAt, &l.ExpiresAt, &l.UsedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, hushpay.NotFound("link")
	}
	if err != nil {
		return nil, dbError("link_by_token_hash", err)
	}
	l.CreatedAt, l.ExpiresAt, l.UsedAt = l.CreatedAt.UTC(), l.ExpiresAt.UTC(), utcPtr(l.UsedAt)
	return &l, nil
}

// UseLink marks the link used at the given time, once: a link used already is KindGone, a
// missing one KindNotFound.
func (s *Store) UseLink(ctx context.Context, tenant, id string, at time.Time) error {
	n, err := s.exec(ctx, "use_link", `UPDATE links SET used_at = $1 WHERE tenant = $2 AND id = $3 AND used_at IS NULL`,
		ts(at), tenant, id)
	if err != nil || n == 1 {
		return err
	}
	return s.explainMiss(ctx, "use_link", "links", "link", tenant, id,
		hushpay.Errorf(hushpay.KindGone, "link_used", "the link has been used already"))
}

// GetIdempotency returns the record saved for (tenant, key); KindNotFound if none.
func (s *Store) GetIdempotency(ctx context.Context, tenant, key string) (*hushpay.IdempotencyRecord, error) {
	r := hushpay.IdempotencyRecord{Tenant: tenant, Key: key}
	err := s.pool.QueryRow(ctx, `SELECT request_hash, status, body, created_at FROM idempotency
		WHERE tenant = $1 AND key = $2`, tenant, key).Scan(&r.RequestHash, &r.Status, &r.Body, &r.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, hushpay.NotFound("idempotency record")
	}
	if err != nil {
		return nil, dbError("get_idempotency", err)
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

// SaveIdempotency stores the record; an existing (tenant, key) is KindConflict.
func (s *Store) SaveIdempotency(ctx context.Context, r *hushpay.IdempotencyRecord) error {
	_, err := s.exec(ctx, "save_idempotency", `INSERT INTO idempotency (tenant, key, request_hash, status, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, r.Tenant, r.Key, nonNil(r.RequestHash), r.Status, nonNil(r.Body), ts(r.CreatedAt))
	return err
}

// DeleteIdempotencyBefore forgets every tenant's records created before t.
func (s *Store) DeleteIdempotencyBefore(ctx context.Context, t time.Time) (int, error) {
	n, err := s.exec(ctx, "delete_idempotency_before", `DELETE FROM idempotency WHERE created_at < $1`, ts(t))
	return int(n), err
}
