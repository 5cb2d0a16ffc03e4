package sqlite

import (
	"context"
	"database/sql"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

const tokenColumns = `tenant, id, kind, fingerprint, brand, last4, exp_month, exp_year, reusable,
	key_version, ciphertext, created_at`

// CreateToken stores a vaulted instrument; an existing (tenant, ID) is KindConflict.
func (s *Store) CreateToken(ctx context.Context, t *hushpay.Token) error {
	_, err := s.exec(ctx, "create_token", `INSERT INTO tokens (`+tokenColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.Tenant, t.ID, t.Kind, t.Fingerprint, t.Brand, t.Last4, t.ExpMonth, t.ExpYear, t.Reusable,
		t.KeyVersion, nonNil(t.Ciphertext), sqlstore.Micros(t.CreatedAt))
	return err
}

// GetToken returns the tenant's token; KindNotFound if none.
func (s *Store) GetToken(ctx context.Context, tenant, id string) (*hushpay.Token, error) {
	row := s.reader.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE tenant = ? AND id = ?`, tenant, id)
	t, err := scanToken(row)
	if err == sql.ErrNoRows {
		return nil, hushpay.NotFound("token")
	}
	return t, dbError("get_token", err)
}

// FindTokens returns the tenant's tokens with that fingerprint, newest first.
func (s *Store) FindTokens(ctx context.Context, tenant, fingerprint string) ([]*hushpay.Token, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens
		WHERE tenant = ? AND fingerprint = ? ORDER BY created_at DESC, id DESC`, tenant, fingerprint)
	if err != nil {
		return nil, dbError("find_tokens", err)
	}
	ts, err := collectTokens(rows)
	return ts, dbError("find_tokens", err)
}

// ListTokensBelowKeyVersion returns up to limit (at most sqlstore.MaxBatch) tokens of any tenant
// sealed under a data key older than version, lowest key version first.
func (s *Store) ListTokensBelowKeyVersion(ctx context.Context, version, limit int) ([]*hushpay.Token, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens
		WHERE key_version < ? ORDER BY key_version, tenant, id LIMIT ?`, version, sqlstore.Batch(limit))
	if err != nil {
		return nil, dbError("list_tokens_below_key_version", err)
	}
	ts, err := collectTokens(rows)
	return ts, dbError("list_tokens_below_key_version", err)
}

// RewrapToken replaces the token's ciphertext and key version with t's if its key version is
// still from: KindNotFound if there is no such token, KindConflict if it was re-wrapped already.
func (s *Store) RewrapToken(ctx context.Context, tenant, id string, from int, t *hushpay.Token) error {
	return s.write(ctx, "rewrap_token", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET ciphertext = ?, key_version = ?
			WHERE tenant = ? AND id = ? AND key_version = ?`, nonNil(t.Ciphertext), t.KeyVersion, tenant, id, from)
		if err != nil {
			return err
		}
		return checkChanged(ctx, tx, res, "tokens", "token", tenant, id)
	})
}

// DeleteToken deletes the tenant's token; KindNotFound if none.
func (s *Store) DeleteToken(ctx context.Context, tenant, id string) error {
	n, err := s.exec(ctx, "delete_token", `DELETE FROM tokens WHERE tenant = ? AND id = ?`, tenant, id)
	if err == nil && n == 0 {
		return hushpay.NotFound("token")
	}
	return err
}

// checkChanged explains a conditional UPDATE that changed nothing: the row is missing
// (KindNotFound) or no longer in the expected state (KindConflict).
func checkChanged(ctx context.Context, tx *sql.Tx, res sql.Result, table, object, tenant, id string) error {
	n, err := res.RowsAffected()
	if err != nil || n == 1 {
		return err
	}
	var exists int
	err = tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE tenant = ? AND id = ?`, tenant, id).Scan(&exists)
	if err != nil {
		return err
	}
	if exists == 0 {
		return hushpay.NotFound(object)
	}
	return hushpay.Errorf(hushpay.KindConflict, "state_conflict", "%s was changed by someone else", object)
}

func scanToken(row scanner) (*hushpay.Token, error) {
	var t hushpay.Token
	var created int64
	err := row.Scan(&t.Tenant, &t.ID, &t.Kind, &t.Fingerprint, &t.Brand, &t.Last4, &t.ExpMonth, &t.ExpYear,
		&t.Reusable, &t.KeyVersion, &t.Ciphertext, &created)
	if err != nil {
		return nil, err
	}
	t.CreatedAt = sqlstore.FromMicros(created)
	return &t, nil
}

func collectTokens(rows *sql.Rows) ([]*hushpay.Token, error) {
	defer rows.Close()
	var ts []*hushpay.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, rows.Err()
}

// CreateDataKey adds a data-key version; an existing version is KindConflict.
func (s *Store) CreateDataKey(ctx context.Context, k hushpay.DataKey) error {
	_, err := s.exec(ctx, "create_data_key", `INSERT INTO data_keys (version, kek_version, wrapped, created_at)
		VALUES (?, ?, ?, ?)`, k.Version, k.KEKVersion, nonNil(k.Wrapped), sqlstore.Micros(k.CreatedAt))
	return err
}

// ListDataKeys returns every data-key version, oldest first.
func (s *Store) ListDataKeys(ctx context.Context) ([]hushpay.DataKey, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT version, kek_version, wrapped, created_at FROM data_keys ORDER BY version`)
	if err != nil {
		return nil, dbError("list_data_keys", err)
	}
	defer rows.Close()
	var ks []hushpay.DataKey
	for rows.Next() {
		var k hushpay.DataKey
		var created int64
		if err := rows.Scan(&k.Version, &k.KEKVersion, &k.Wrapped, &created); err != nil {
			return nil, dbError("list_data_keys", err)
		}
		k.CreatedAt = sqlstore.FromMicros(created)
		ks = append(ks, k)
	}
	return ks, dbError("list_data_keys", rows.Err())
}

// RewrapDataKey replaces the wrapped form and KEK version of an existing data key; KindNotFound
// if there is no such version.
func (s *Store) RewrapDataKey(ctx context.Context, k hushpay.DataKey) error {
	n, err := s.exec(ctx, "rewrap_data_key", `UPDATE data_keys SET kek_version = ?, wrapped = ? WHERE version = ?`,
		k.KEKVersion, nonNil(k.Wrapped), k.Version)
	if err == nil && n == 0 {
		return hushpay.NotFound("data key")
	}
	return err
}

// nonNil stores a nil byte slice as an empty one (the columns are NOT NULL).
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
