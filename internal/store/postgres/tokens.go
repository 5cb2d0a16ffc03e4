package postgres

import (
	"context"
	"errors"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
	"github.com/jackc/pgx/v5"
)

const tokenColumns = `tenant, id, kind, fingerprint, brand, last4, exp_month, exp_year, reusable,
	key_version, ciphertext, created_at`

// CreateToken stores a vaulted instrument; an existing (tenant, ID) is KindConflict.
func (s *Store) CreateToken(ctx context.Context, t *hushpay.Token) error {
	_, err := s.exec(ctx, "create_token", `INSERT INTO tokens (`+tokenColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		t.Tenant, t.ID, t.Kind, t.Fingerprint, t.Brand, t.Last4, t.ExpMonth, t.ExpYear, t.Reusable,
		t.KeyVersion, nonNil(t.Ciphertext), ts(t.CreatedAt))
	return err
}

// GetToken returns the tenant's token; KindNotFound if none.
func (s *Store) GetToken(ctx context.Context, tenant, id string) (*hushpay.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE tenant = $1 AND id = $2`, tenant, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, hushpay.NotFound("token")
	}
	return t, dbError("get_token", err)
}

// FindTokens returns the tenant's tokens with that fingerprint, newest first.
func (s *Store) FindTokens(ctx context.Context, tenant, fingerprint string) ([]*hushpay.Token, error) {
	ts, err := s.queryTokens(ctx, `SELECT `+tokenColumns+` FROM tokens
		WHERE tenant = $1 AND fingerprint = $2 ORDER BY created_at DESC, id DESC`, tenant, fingerprint)
	return ts, dbError("find_tokens", err)
}

// ListTokensBelowKeyVersion returns up to limit (at most sqlstore.MaxBatch) tokens of any tenant
// sealed under a data key older than version, lowest key version first.
func (s *Store) ListTokensBelowKeyVersion(ctx context.Context, version, limit int) ([]*hushpay.Token, error) {
	ts, err := s.queryTokens(ctx, `SELECT `+tokenColumns+` FROM tokens
		WHERE key_version < $1 ORDER BY key_version, tenant, id LIMIT $2`, version, sqlstore.Batch(limit))
	return ts, dbError("list_tokens_below_key_version", err)
}

// RewrapToken replaces the token's ciphertext and key version with t's if its key version is
// still from: KindNotFound if there is no such token, KindConflict if it was re-wrapped already.
func (s *Store) RewrapToken(ctx context.Context, tenant, id string, from int, t *hushpay.Token) error {
	n, err := s.exec(ctx, "rewrap_token", `UPDATE tokens SET ciphertext = $1, key_version = $2
		WHERE tenant = $3 AND id = $4 AND key_version = $5`, nonNil(t.Ciphertext), t.KeyVersion, tenant, id, from)
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

func (s *Store) queryTokens(ctx context.Context, query string, args ...any) ([]*hushpay.Token, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*hushpay.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func scanToken(row pgx.Row) (*hushpay.Token, error) {
	var t hushpay.Token
	err := row.Scan(&t.Tenant, &t.ID, &t.Kind, &t.Fingerprint, &t.Brand, &t.Last4, &t.ExpMonth, &t.ExpYear,
		&t.Reusable, &t.KeyVersion, &t.Ciphertext, &t.CreatedAt)
	if err != nil {
		return nil, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return &t, nil
}

// CreateDataKey adds a data-key version; an existing version is KindConflict.
func (s *Store) CreateDataKey(ctx context.Context, k hushpay.DataKey) error {
	_, err := s.exec(ctx, "create_data_key", `INSERT INTO data_keys (version, kek_version, wrapped, created_at)
		VALUES ($1, $2, $3, $4)`, k.Version, k.KEKVersion, nonNil(k.Wrapped), ts(k.CreatedAt))
	return err
}

// ListDataKeys returns every data-key version, oldest first.
func (s *Store) ListDataKeys(ctx context.Context) ([]hushpay.DataKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT version, kek_version, wrapped, created_at FROM data_keys ORDER BY version`)
	if err != nil {
		return nil, dbError("list_data_keys", err)
	}
	defer rows.Close()
	var ks []hushpay.DataKey
	for rows.Next() {
		var k hushpay.DataKey
		if err := rows.Scan(&k.Version, &k.KEKVersion, &k.Wrapped, &k.CreatedAt); err != nil {
			return nil, dbError("list_data_keys", err)
		}
		k.CreatedAt = k.CreatedAt.UTC()
		ks = append(ks, k)
	}
	return ks, dbError("list_data_keys", rows.Err())
}

// RewrapDataKey replaces the wrapped form and KEK version of an existing data key; KindNotFound
// if there is no such version.
func (s *Store) RewrapDataKey(ctx context.Context, k hushpay.DataKey) error {
	n, err := s.exec(ctx, "rewrap_data_key", `UPDATE data_keys SET kek_version = $1, wrapped = $2 WHERE version = $3`,
		k.KEKVersion, nonNil(k.Wrapped), k.Version)
	if err == nil && n == 0 {
		return hushpay.NotFound("data key")
	}
	return err
}
