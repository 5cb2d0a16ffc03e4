package postgres

import (
	"context"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

// CreatePayment stores a new payment; an existing (tenant, ID) is KindConflict.
func (s *Store) CreatePayment(ctx context.Context, p *hushpay.Payment) error {
	values, err := sqlstore.Payments.Values(dialect, p)
	if err != nil {
		return dbError("create_payment", err)
	}
	_, err = s.exec(ctx, "create_payment", `INSERT INTO payments (`+sqlstore.Payments.Columns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, values...)
	return err
}

// GetPayment returns the tenant's payment; KindNotFound if none.
func (s *Store) GetPayment(ctx context.Context, tenant, id string) (*hushpay.Payment, error) {
	p, err := sqlstore.Payments.Scan(s.pool.QueryRow(ctx, `SELECT data, version FROM payments
		WHERE tenant = $1 AND id = $2`, tenant, id))
	if sqlstore.NoRows(err) {
		return nil, hushpay.NotFound("payment")
	}
	return p, dbError("get_payment", err)
}

// UpdatePayment writes p if the stored version is p.Version, then increments both.
func (s *Store) UpdatePayment(ctx context.Context, p *hushpay.Payment) error {
	next, data, err := sqlstore.Payments.Next(p)
	if err != nil {
		return dbError("update_payment", err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE payments SET state = $1, reference = $2, call_id = $3,
		created_at = $4, expires_at = $5, version = $6, data = $7
		WHERE tenant = $8 AND id = $9 AND version = $10`,
		next.State, next.Reference, next.CallID, dialect.Time(next.CreatedAt), dialect.Time(next.ExpiresAt),
		next.Version, data, p.Tenant, p.ID, p.Version)
	if err != nil {
		return dbError("update_payment", err)
	}
	if tag.RowsAffected() == 0 {
		return s.explainMiss(ctx, "update_payment", "payments", "payment", p.Tenant, p.ID, sqlstore.VersionConflict("payment"))
	}
	p.Version = next.Version
	return nil
}

// explainMiss tells why a conditional write changed nothing: the row is missing (KindNotFound) or
// it exists but no longer matches (the given conflict).
func (s *Store) explainMiss(ctx context.Context, op, table, object, tenant, id string, conflict error) error {
	var exists bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE tenant = $1 AND id = $2)`, tenant, id).Scan(&exists)
	if err != nil {
		return dbError(op, err)
	}
	return sqlstore.Missed(object, exists, conflict)
}

// ListPayments returns a newest-first page of the tenant's payments matching f.
func (s *Store) ListPayments(ctx context.Context, tenant string, f hushpay.PaymentFilter) (hushpay.Page[*hushpay.Payment], error) {
	page, err := sqlstore.ListPayments(ctx, dialect, s.query, tenant, f)
	return page, dbError("list_payments", err)
}

// ListExpiring returns up to limit (at most sqlstore.MaxBatch) non-final payments of any tenant
// that expired before now, oldest expiry first.
func (s *Store) ListExpiring(ctx context.Context, now time.Time, limit int) ([]*hushpay.Payment, error) {
	ps, err := sqlstore.Query(ctx, s.query, sqlstore.Payments.Scan, `SELECT data, version FROM payments
		WHERE state NOT IN `+sqlstore.FinalStatesSQL+` AND expires_at < $1
		ORDER BY expires_at, tenant, id LIMIT $2`, dialect.Time(now), sqlstore.Batch(limit))
	return ps, dbError("list_expiring", err)
}

// ListByReference returns every payment of the tenant with that reference, newest first.
func (s *Store) ListByReference(ctx context.Context, tenant, reference string) ([]*hushpay.Payment, error) {
	ps, err := sqlstore.Query(ctx, s.query, sqlstore.Payments.Scan, `SELECT data, version FROM payments
		WHERE tenant = $1 AND reference = $2 ORDER BY created_at DESC, id DESC`, tenant, reference)
	return ps, dbError("list_by_reference", err)
}

// DeletePaymentsBefore deletes final payments of any tenant created before t.
func (s *Store) DeletePaymentsBefore(ctx context.Context, t time.Time) (int, error) {
	n, err := s.exec(ctx, "delete_payments_before", `DELETE FROM payments
		WHERE created_at < $1 AND state IN `+sqlstore.FinalStatesSQL, dialect.Time(t))
	return int(n), err
}
