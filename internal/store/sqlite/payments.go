package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

// CreatePayment stores a new payment; an existing (tenant, ID) is KindConflict.
func (s *Store) CreatePayment(ctx context.Context, p *hushpay.Payment) error {
	data, err := json.Marshal(p)
	if err != nil {
		return dbError("create_payment", err)
	}
	_, err = s.exec(ctx, "create_payment", `INSERT INTO payments
		(tenant, id, state, reference, call_id, created_at, expires_at, version, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Tenant, p.ID, p.State, p.Reference, p.CallID,
		sqlstore.Micros(p.CreatedAt), sqlstore.Micros(p.ExpiresAt), p.Version, data)
	return err
}

// GetPayment returns the tenant's payment; KindNotFound if none.
func (s *Store) GetPayment(ctx context.Context, tenant, id string) (*hushpay.Payment, error) {
	row := s.reader.QueryRowContext(ctx, `SELECT data, version FROM payments WHERE tenant = ? AND id = ?`, tenant, id)
	p, err := scanPayment(row)
	if err == sql.ErrNoRows {
		return nil, hushpay.NotFound("payment")
	}
	if err != nil {
		return nil, dbError("get_payment", err)
	}
	return p, nil
}

// UpdatePayment writes p if the stored version is p.Version, then increments both.
func (s *Store) UpdatePayment(ctx context.Context, p *hushpay.Payment) error {
	next := *p
	next.Version++
	data, err := json.Marshal(&next)
	if err != nil {
		return dbError("update_payment", err)
	}
	err = s.write(ctx, "update_payment", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE payments SET state = ?, reference = ?, call_id = ?,
			created_at = ?, expires_at = ?, version = ?, data = ?
			WHERE tenant = ? AND id = ? AND version = ?`,
			next.State, next.Reference, next.CallID, sqlstore.Micros(next.CreatedAt),
			sqlstore.Micros(next.ExpiresAt), next.Version, data, p.Tenant, p.ID, p.Version)
		if err != nil {
			return err
		}
		return checkVersioned(ctx, tx, res, "payments", "payment", p.Tenant, p.ID)
	})
	if err == nil {
		p.Version = next.Version
	}
	return err
}

// checkVersioned explains an UPDATE … AND version = ? that changed nothing: the row is missing
// (KindNotFound) or was changed by someone else (KindConflict).
func checkVersioned(ctx context.Context, tx *sql.Tx, res sql.Result, table, object, tenant, id string) error {
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
	return versionConflict(object)
}

// ListPayments returns a newest-first page of the tenant's payments matching f.
func (s *Store) ListPayments(ctx context.Context, tenant string, f hushpay.PaymentFilter) (hushpay.Page[*hushpay.Payment], error) {
	q := newListQuery("payments", tenant)
	q.where("call_id", f.CallID)
	q.where("state", string(f.State))
	q.where("reference", f.Reference)
	var page hushpay.Page[*hushpay.Payment]
	cursors, err := q.run(ctx, s.reader, f.Cursor, f.Limit, func(data []byte, version int64) error {
		p, err := decodePayment(data, version)
		if err == nil {
			page.Data = append(page.Data, p)
		}
		return err
	})
	if err != nil {
		return hushpay.Page[*hushpay.Payment]{}, dbError("list_payments", err)
	}
	page.Data, page.HasMore, page.NextCursor = cutPage(page.Data, cursors, q.limit)
	return page, nil
}

// ListExpiring returns up to limit (at most sqlstore.MaxBatch) non-final payments of any tenant
// that expired before now, oldest expiry first.
func (s *Store) ListExpiring(ctx context.Context, now time.Time, limit int) ([]*hushpay.Payment, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT data, version FROM payments
		WHERE state NOT IN `+sqlstore.FinalStatesSQL+` AND expires_at < ?
		ORDER BY expires_at, tenant, id LIMIT ?`, sqlstore.Micros(now), sqlstore.Batch(limit))
	if err != nil {
		return nil, dbError("list_expiring", err)
	}
	ps, err := collectPayments(rows)
	return ps, dbError("list_expiring", err)
}

// ListByReference returns every payment of the tenant with that reference, newest first.
func (s *Store) ListByReference(ctx context.Context, tenant, reference string) ([]*hushpay.Payment, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT data, version FROM payments
		WHERE tenant = ? AND reference = ? ORDER BY created_at DESC, id DESC`, tenant, reference)
	if err != nil {
		return nil, dbError("list_by_reference", err)
	}
	ps, err := collectPayments(rows)
	return ps, dbError("list_by_reference", err)
}

// DeletePaymentsBefore deletes final payments of any tenant created before t.
func (s *Store) DeletePaymentsBefore(ctx context.Context, t time.Time) (int, error) {
	n, err := s.exec(ctx, "delete_payments_before", `DELETE FROM payments
		WHERE created_at < ? AND state IN `+sqlstore.FinalStatesSQL, sqlstore.Micros(t))
	return int(n), err
}

type scanner interface{ Scan(dest ...any) error }

func scanPayment(row scanner) (*hushpay.Payment, error) {
	var data []byte
	var version int64
	if err := row.Scan(&data, &version); err != nil {
		return nil, err
	}
	return decodePayment(data, version)
}

func decodePayment(data []byte, version int64) (*hushpay.Payment, error) {
	var p hushpay.Payment
	if err := sqlstore.DecodeJSON("payment", data, &p); err != nil {
		return nil, err
	}
	p.Version = version
	return &p, nil
}

func collectPayments(rows *sql.Rows) ([]*hushpay.Payment, error) {
	defer rows.Close()
	var ps []*hushpay.Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}
