package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

const apiKeyColumns = `id, tenant, role, name, hash, created_at, revoked_at, last_used_at`

// CreateAPIKey stores a hashed API key; an existing ID or hash is KindConflict.
func (s *Store) CreateAPIKey(ctx context.Context, k *hushpay.APIKey) error {
	_, err := s.exec(ctx, "create_api_key", `INSERT INTO api_keys (`+apiKeyColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Tenant, k.Role, k.Name, nonNil(k.Hash), sqlstore.Micros(k.CreatedAt),
		nullMicros(k.RevokedAt), nullMicros(k.LastUsedAt))
	return err
}

// APIKeyByHash finds a key (revoked or not) by the SHA-256 of its secret; KindNotFound if none.
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (*hushpay.APIKey, error) {
	row := s.reader.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = ?`, nonNil(hash))
	k, err := scanAPIKey(row)
	if err == sql.ErrNoRows {
		return nil, hushpay.NotFound("API key")
	}
	return k, dbError("api_key_by_hash", err)
}

// ListAPIKeys returns the tenant's keys, newest first.
func (s *Store) ListAPIKeys(ctx context.Context, tenant string) ([]*hushpay.APIKey, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys
		WHERE tenant = ? ORDER BY created_at DESC, id DESC`, tenant)
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
	n, err := s.exec(ctx, "revoke_api_key", `UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?)
		WHERE tenant = ? AND id = ?`, sqlstore.Micros(at), tenant, id)
	if err == nil && n == 0 {
		return hushpay.NotFound("API key")
	}
	return err
}

func scanAPIKey(row scanner) (*hushpay.APIKey, error) {
	var k hushpay.APIKey
	var created int64
	var revoked, lastUsed sql.NullInt64
	if err := row.Scan(&k.ID, &k.Tenant, &k.Role, &k.Name, &k.Hash, &created, &revoked, &lastUsed); err != nil {
		return nil, err
	}
	k.CreatedAt = sqlstore.FromMicros(created)
	k.RevokedAt = timePtr(revoked)
	k.LastUsedAt = timePtr(lastUsed)
	return &k, nil
}
