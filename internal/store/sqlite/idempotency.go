package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

// GetIdempotency returns the record saved for (tenant, key); KindNotFound if none.
func (s *Store) GetIdempotency(ctx context.Context, tenant, key string) (*hushpay.IdempotencyRecord, error) {
	r := hushpay.IdempotencyRecord{Tenant: tenant, Key: key}
	var created int64
	err := s.reader.QueryRowContext(ctx, `SELECT request_hash, status, body, created_at FROM idempotency
		WHERE tenant = ? AND key = ?`, tenant, key).Scan(&r.RequestHash, &r.Status, &r.Body, &created)
	if err == sql.ErrNoRows {
		return nil, hushpay.NotFound("idempotency record")
	}
	if err != nil {
		return nil, dbError("get_idempotency", err)
	}
	r.CreatedAt = sqlstore.FromMicros(created)
	return &r, nil
}

// SaveIdempotency stores the record; an existing (tenant, key) is KindConflict.
func (s *Store) SaveIdempotency(ctx context.Context, r *hushpay.IdempotencyRecord) error {
	_, err := s.exec(ctx, "save_idempotency", `INSERT INTO idempotency (tenant, key, request_hash, status, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, r.Tenant, r.Key, nonNil(r.RequestHash), r.Status, nonNil(r.Body), sqlstore.Micros(r.CreatedAt))
	return err
}

// DeleteIdempotencyBefore forgets every tenant's records created before t.
func (s *Store) DeleteIdempotencyBefore(ctx context.Context, t time.Time) (int, error) {
	n, err := s.exec(ctx, "delete_idempotency_before", `DELETE FROM idempotency WHERE created_at < ?`, sqlstore.Micros(t))
	return int(n), err
}
