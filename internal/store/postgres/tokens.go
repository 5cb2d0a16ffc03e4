package postgres

import (
	"context"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

// CreateToken stores a vaulted instrument; an existing (tenant, ID) is KindConflict.
func (s *Store) CreateToken(ctx context.Context, t *hushpay.Token) error {
	_, err := s.exec(ctx, "create_token", `INSERT INTO tokens (`+sqlstore.TokenColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, sqlstore.TokenValues(dialect, t)...)
	return err
}

// GetToken returns the tenant's token; KindNotFound if none.
func (s *Store) GetToken(ctx context.Context, tenant, id string) (*hushpay.Token, error) {
	t, err := sqlstore.ScanToken(s.pool.QueryRow(ctx, `SELECT `+sqlstore.TokenColumns+` FROM tokens
		WHERE tenant = $1 AND id = $2`, tenant, id))
	if sqlstore.NoRows(err) {
		return nil, hushpay.NotFound("token")
	}
	return t, dbError("get_token", err)
}

// FindTokens returns the tenant's tokens with that fingerprint, newest first.
func (s *Store) FindTokens(ctx context.Context, tenant, fingerprint string) ([]*hushpay.Token, error) {
	ts, err := sqlstore.Query(ctx, s.query, sqlstore.ScanToken, `SELECT `+sqlstore.TokenColumns+` FROM tokens
		WHERE tenant = $1 AND fingerprint = $2 ORDER BY created_at DESC, id DESC`, tenant, fingerprint)
	return ts, dbError("find_tokens", err)
}

// ListTokensBelowKeyVersion returns up to limit (at most sqlstore.MaxBatch) tokens of any tenant
// sealed under a data key older than version, lowest key version first.
func (s *Store) ListTokensBelowKeyVersion(ctx context.Context, version, limit int) ([]*hushpay.Token, error) {
	ts, err := sqlstore.Query(ctx, s.query, sqlstore.ScanToken, `SELECT `+sqlstore.TokenColumns+` FROM tokens
		WHERE key_version < $1 ORDER BY key_version, tenant, id LIMIT $2`, version, sqlstore.Batch(limit))
	return ts, dbError("list_tokens_below_key_version", err)
}

// RewrapToken replaces the token's ciphertext and key version with t's if its key version is
// still from: KindNotFound if there is no such token, KindConflict if it was re-wrapped already.
func (s *Store) RewrapToken(ctx context.Context, tenant, id string, from int, t *hushpay.Token) error {
	n, err := s.exec(ctx, "rewrap_token", `UPDATE tokens SET ciphertext = $1, key_version = $2
		WHERE tenant = $3 AND id = $4 AND key_version = $5`, sqlstore.NonNil(t.Ciphertext), t.KeyVersion, tenant, id, from)
	if err != nil || n == 1 {
		return err
	}
	return s.explainMiss(ctx, "rewrap_token", "tokens", "token", tenant, id,
		hushpay.Errorf(hushpay.KindConflict, "state_conflict", "token was re-wrapped by someone else"))
}

// DeleteToken deletes the tenant's token; KindNotFound if none.
func (s *Store) DeleteToken(ctx context.Context, tenant, id string) error {
	n, err := s.exec(ctx, "delete_token", `DELETE FROM tokens WHERE tenant = $1 AND id = $2`, tenant, id)
	if err == nil && n == 0 {
		return hushpay.NotFound("token")
	}
	return err
}

// CreateDataKey adds a data-key version; an existing version is KindConflict.
func (s *Store) CreateDataKey(ctx context.Context, k hushpay.DataKey) error {
	_, err := s.exec(ctx, "create_data_key", `INSERT INTO data_keys (`+sqlstore.DataKeyColumns+`)
		VALUES ($1, $2, $3, $4)`, sqlstore.DataKeyValues(dialect, k)...)
	return err
}

// ListDataKeys returns every data-key version, oldest first.
func (s *Store) ListDataKeys(ctx context.Context) ([]hushpay.DataKey, error) {
	ks, err := sqlstore.Query(ctx, s.query, sqlstore.ScanDataKey, `SELECT `+sqlstore.DataKeyColumns+`
		FROM data_keys ORDER BY version`)
	return ks, dbError("list_data_keys", err)
}

// RewrapDataKey replaces the wrapped form and KEK version of an existing data key; KindNotFound
// if there is no such version.
func (s *Store) RewrapDataKey(ctx context.Context, k hushpay.DataKey) error {
	n, err := s.exec(ctx, "rewrap_data_key", `UPDATE data_keys SET kek_version = $1, wrapped = $2 WHERE version = $3`,
		k.KEKVersion, sqlstore.NonNil(k.Wrapped), k.Version)
	if err == nil && n == 0 {
		return hushpay.NotFound("data key")
	}
	return err
}
