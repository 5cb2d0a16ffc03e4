package sqlite

import (
	"context"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

// CreateAPIKey stores a hashed API key; an existing ID or hash is KindConflict.
func (s *Store) CreateAPIKey(ctx context.Context, k *hushpay.APIKey) error {
	_, err := s.exec(ctx, "create_api_key", `INSERT INTO api_keys (`+sqlstore.APIKeyColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, sqlstore.APIKeyValues(dialect, k)...)
	return err
}

// APIKeyByHash finds a key (revoked or not) by the SHA-256 of its secret; KindNotFound if none.
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (*hushpay.APIKey, error) {
	k, err := sqlstore.ScanAPIKey(s.reader.QueryRowContext(ctx, `SELECT `+sqlstore.APIKeyColumns+` FROM api_keys
		WHERE hash = ?`, sqlstore.NonNil(hash)))
	if sqlstore.NoRows(err) {
		return nil, hushpay.NotFound("API key")
	}
	return k, dbError("api_key_by_hash", err)
}

// ListAPIKeys returns the tenant's keys, newest first.
func (s *Store) ListAPIKeys(ctx context.Context, tenant string) ([]*hushpay.APIKey, error) {
	ks, err := sqlstore.Query(ctx, s.query, sqlstore.ScanAPIKey, `SELECT `+sqlstore.APIKeyColumns+` FROM api_keys
		WHERE tenant = ? ORDER BY created_at DESC, id DESC`, tenant)
	return ks, dbError("list_api_keys", err)
}

// RevokeAPIKey marks the tenant's key revoked at the given time (a key revoked already keeps its
// first revocation time); KindNotFound if none.
func (s *Store) RevokeAPIKey(ctx context.Context, tenant, id string, at time.Time) error {
	n, err := s.exec(ctx, "revoke_api_key", `UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?)
		WHERE tenant = ? AND id = ?`, dialect.Time(at), tenant, id)
	if err == nil && n == 0 {
		return hushpay.NotFound("API key")
	}
	return err
}
