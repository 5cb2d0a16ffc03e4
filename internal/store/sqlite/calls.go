package sqlite

import (
	"context"
	"database/sql"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

// CreateCall stores a new call and indexes its legs' SIP Call-IDs; an existing (tenant, ID) is
// KindConflict.
func (s *Store) CreateCall(ctx context.Context, c *hushpay.Call) error {
	values, err := sqlstore.Calls.Values(dialect, c)
	if err != nil {
		return dbError("create_call", err)
	}
	return s.write(ctx, "create_call", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO calls (`+sqlstore.Calls.Columns+`)
			VALUES (?, ?, ?, ?, ?, ?)`, values...)
		if err != nil {
			return err
		}
		return insertLegs(ctx, tx, c)
	})
}

// GetCall returns the tenant's call; KindNotFound if none.
func (s *Store) GetCall(ctx context.Context, tenant, id string) (*hushpay.Call, error) {
	c, err := sqlstore.Calls.Scan(s.reader.QueryRowContext(ctx, `SELECT data, version FROM calls
		WHERE tenant = ? AND id = ?`, tenant, id))
	if sqlstore.NoRows(err) {
		return nil, hushpay.NotFound("call")
	}
	return c, dbError("get_call", err)
}

// UpdateCall writes c (and its legs) if the stored version is c.Version, then increments both.
func (s *Store) UpdateCall(ctx context.Context, c *hushpay.Call) error {
	next, data, err := sqlstore.Calls.Next(c)
	if err != nil {
		return dbError("update_call", err)
	}
	err = s.write(ctx, "update_call", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE calls SET state = ?, created_at = ?, version = ?, data = ?
			WHERE tenant = ? AND id = ? AND version = ?`,
			next.State, dialect.Time(next.StartedAt), next.Version, data, c.Tenant, c.ID, c.Version)
		if err != nil {
			return err
		}
		if err := explainMiss(ctx, tx, res, "calls", "call", c.Tenant, c.ID, sqlstore.VersionConflict("call")); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM call_legs WHERE tenant = ? AND call_id = ?`, c.Tenant, c.ID); err != nil {
			return err
		}
		return insertLegs(ctx, tx, c)
	})
	if err == nil {
		c.Version = next.Version
	}
	return err
}

func insertLegs(ctx context.Context, tx *sql.Tx, c *hushpay.Call) error {
	for _, leg := range c.Legs {
		if leg.SIPCallID == "" {
			continue
		}
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO call_legs (tenant, call_id, role, sip_call_id)
			VALUES (?, ?, ?, ?)`, c.Tenant, c.ID, leg.Role, leg.SIPCallID)
		if err != nil {
			return err
		}
	}
	return nil
}

// ListCalls returns a newest-first page of the tenant's calls matching f; SIPCallID matches the
// Call-ID of either leg.
func (s *Store) ListCalls(ctx context.Context, tenant string, f hushpay.CallFilter) (hushpay.Page[*hushpay.Call], error) {
	page, err := sqlstore.ListCalls(ctx, dialect, s.query, tenant, f)
	return page, dbError("list_calls", err)
}
