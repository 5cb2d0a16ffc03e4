package sqlite

import (
	"context"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

// GetIdempotency returns the record saved for (tenant, key); KindNotFound if none.
func (s *Store) GetIdempotency(ctx context.Context, tenant, key string) (*hushpay.IdempotencyRecord, error) {
	r, err := sqlstore.ScanIdempotency(s.reader.QueryRowContext(ctx, `SELECT `+sqlstore.IdempotencyColumns+`
		FROM idempotency WHERE tenant = ? AND key = ?`, tenant, key))
	if sqlstore.NoRows(err) {
		return nil, hushpay.NotFound("idempotency record")
	}
	return r, dbError("get_idempotency", err)
}

// SaveIdempotency stores the record; an existing (tenant, key) is KindConflict.
func (s *Store) SaveIdempotency(ctx context.Context, r *hushpay.IdempotencyRecord) error {
	_, err := s.exec(ctx, "save_idempotency", `INSERT INTO idempotency (`+sqlstore.IdempotencyColumns+`)
		VALUES (?, ?, ?, ?, ?, ?)`, sqlstore.IdempotencyValues(dialect, r)...)
	return err
}

// DeleteIdempotencyBefore forgets every tenant's records created before t.
func (s *Store) DeleteIdempotencyBefore(ctx context.Context, t time.Time) (int, error) {
	n, err := s.exec(ctx, "delete_idempotency_before", `DELETE FROM idempotency WHERE created_at < ?`, dialect.Time(t))
	return int(n), err
}
