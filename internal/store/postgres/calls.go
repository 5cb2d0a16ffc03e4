package postgres

import (
	"context"
	"errors"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
	"github.com/jackc/pgx/v5"
)

// CreateCall stores a new call and indexes its legs' SIP Call-IDs; an existing (tenant, ID) is
// KindConflict.
func (s *Store) CreateCall(ctx context.Context, c *hushpay.Call) error {
	values, err := sqlstore.Calls.Values(dialect, c)
	if err != nil {
		return dbError("create_call", err)
	}
	return s.write(ctx, "create_call", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO calls (`+sqlstore.Calls.Columns+`)
			VALUES ($1, $2, $3, $4, $5, $6)`, values...)
		if err != nil {
			return err
		}
		return insertLegs(ctx, tx, c)
	})
}

// GetCall returns the tenant's call; KindNotFound if none.
func (s *Store) GetCall(ctx context.Context, tenant, id string) (*hushpay.Call, error) {
	c, err := sqlstore.Calls.Scan(s.pool.QueryRow(ctx, `SELECT data, version FROM calls
		WHERE tenant = $1 AND id = $2`, tenant, id))
	if sqlstore.NoRows(err) {
		return nil, hushpay.NotFound("call")
	}
	return c, dbError("get_call", err)
}

// errMissed marks an UpdateCall whose versioned UPDATE changed nothing, so that the transaction
// rolls back before the reason is looked up.
var errMissed = errors.New("no row at that version")

// UpdateCall writes c (and its legs) if the stored version is c.Version, then increments both.
func (s *Store) UpdateCall(ctx context.Context, c *hushpay.Call) error {
	next, data, err := sqlstore.Calls.Next(c)
	if err != nil {
		return dbError("update_call", err)
	}
	err = s.write(ctx, "update_call", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE calls SET state = $1, created_at = $2, version = $3, data = $4
			WHERE tenant = $5 AND id = $6 AND version = $7`,
			next.State, dialect.Time(next.StartedAt), next.Version, data, c.Tenant, c.ID, c.Version)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errMissed
		}
		if _, err := tx.Exec(ctx, `DELETE FROM call_legs WHERE tenant = $1 AND call_id = $2`, c.Tenant, c.ID); err != nil {
			return err
		}
		return insertLegs(ctx, tx, c)
	})
	if errors.Is(err, errMissed) {
		return s.explainMiss(ctx, "update_call", "calls", "call", c.Tenant, c.ID, sqlstore.VersionConflict("call"))
	}
	if err == nil {
		c.Version = next.Version
	}
	return err
}

func insertLegs(ctx context.Context, tx pgx.Tx, c *hushpay.Call) error {
	for _, leg := range c.Legs {
		if leg.SIPCallID == "" {
			continue
		}
		_, err := tx.Exec(ctx, `INSERT INTO call_legs (tenant, call_id, role, sip_call_id)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, c.Tenant, c.ID, leg.Role, leg.SIPCallID)
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
