package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
	"github.com/jackc/pgx/v5"
)

const auditColumns = `tenant, seq, time, actor, action, object_type, object_id, details, prev_hash, hash`

// AppendAudit appends es (one tenant's entries, in order) to the tenant's chain in one
// transaction that first takes the tenant's advisory lock, so that appends from every node are
// serialized per tenant: it reads the last entry, then seals and inserts each entry after the one
// before.
func (s *Store) AppendAudit(ctx context.Context, es []*hushpay.AuditEntry, seal func(prev, e *hushpay.AuditEntry) error) error {
	tenant, err := sqlstore.AuditTenant(es)
	if err != nil || len(es) == 0 {
		return err
	}
	return s.write(ctx, "append_audit", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockAudit, tenant); err != nil {
			return err
		}
		prev, err := scanAudit(tx.QueryRow(ctx, `SELECT `+auditColumns+` FROM audit_entries
			WHERE tenant = $1 ORDER BY seq DESC LIMIT 1`, tenant))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			prev = nil
		case err != nil:
			return err
		}
		for _, e := range es {
			if err := seal(prev, e); err != nil {
				return err
			}
			details := e.Details
			if details == nil {
				details = map[string]string{}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO audit_entries (`+auditColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				e.Tenant, e.Seq, ts(e.Time), e.Actor, e.Action, e.ObjectType, e.ObjectID, details,
				nonNil(e.PrevHash), nonNil(e.Hash)); err != nil {
				return err
			}
			prev = e
		}
		return nil
	})
}

// ListAudit returns up to limit (at most sqlstore.MaxBatch) entries of the tenant with Seq >
// afterSeq, in Seq order.
func (s *Store) ListAudit(ctx context.Context, tenant string, afterSeq int64, limit int) ([]*hushpay.AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+auditColumns+` FROM audit_entries
		WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT $3`, tenant, afterSeq, sqlstore.Batch(limit))
	if err != nil {
		return nil, dbError("list_audit", err)
	}
	defer rows.Close()
	var es []*hushpay.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, dbError("list_audit", err)
		}
		es = append(es, e)
	}
	return es, dbError("list_audit", rows.Err())
}

// AuditTenants lists the tenants that have an audit chain, in name order.
func (s *Store) AuditTenants(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT tenant FROM audit_entries ORDER BY tenant`)
	if err != nil {
		return nil, dbError("audit_tenants", err)
	}
	tenants, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return tenants, dbError("audit_tenants", err)
}

func scanAudit(row pgx.Row) (*hushpay.AuditEntry, error) {
	var e hushpay.AuditEntry
	var details []byte
	err := row.Scan(&e.Tenant, &e.Seq, &e.Time, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID,
		&details, &e.PrevHash, &e.Hash)
	if err != nil {
		return nil, fmt.Errorf("scan audit entry: %w", err)
	}
	if err := sqlstore.DecodeJSON("audit details", details, &e.Details); err != nil {
		return nil, err
	}
	e.Time = e.Time.UTC()
	if len(e.Details) == 0 {
		e.Details = nil
	}
	return &e, nil
}
