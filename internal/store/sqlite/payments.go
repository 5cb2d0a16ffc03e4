package sqlite

import (
	"context"
	"database/sql"
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
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, values...)
	return err
}

// GetPayment returns the tenant's payment; KindNotFound if none.
func (s *Store) GetPayment(ctx context.Context, tenant, id string) (*hushpay.Payment, error) {
	p, err := sqlstore.Payments.Scan(s.reader.QueryRowContext(ctx, `SELECT data, version FROM payments
		WHERE tenant = ? AND id = ?`, tenant, id))
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
	err = s.write(ctx, "update_payment", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE payments SET state = ?, reference = ?, call_id = ?,
			created_at = ?, expires_at = ?, version = ?, data = ?
			WHERE tenant = ? AND id = ? AND version = ?`,
			next.State, next.Reference, next.CallID, dialect.Time(next.CreatedAt), dialect.Time(next.ExpiresAt),
			next.Version, data, p.Tenant, p.ID, p.Version)
		if err != nil {
			return err
		}
		return explainMiss(ctx, tx, res, "payments", "payment", p.Tenant, p.ID, sqlstore.VersionConflict("payment"))
	})
	if err == nil {
		p.Version = next.Version
	}
	return err
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
		WHERE state NOT IN `+sqlstore.FinalStatesSQL+` AND expires_at < ?
		ORDER BY expires_at, tenant, id LIMIT ?`, dialect.Time(now), sqlstore.Batch(limit))
	return ps, dbError("list_expiring", err)
}

// ListByReference returns every payment of the tenant with that reference, newest first.
func (s *Store) ListByReference(ctx context.Context, tenant, reference string) ([]*hushpay.Payment, error) {
	ps, err := sqlstore.Query(ctx, s.query, sqlstore.Payments.Scan, `SELECT data, version FROM payments
		WHERE tenant = ? AND reference = ? ORDER BY created_at DESC, id DESC`, tenant, reference)
	return ps, dbError("list_by_reference", err)
}

// DeletePaymentsBefore deletes final payments of any tenant created before t.
func (s *Store) DeletePaymentsBefore(ctx context.Context, t time.Time) (int, error) {
	n, err := s.exec(ctx, "delete_payments_before", `DELETE FROM payments
		WHERE created_at < ? AND state IN `+sqlstore.FinalStatesSQL, dialect.Time(t))
	return int(n), err
}
