package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

const auditColumns = `tenant, seq, time, actor, action, object_type, object_id, details, prev_hash, hash`

// AppendAudit appends es (one tenant's entries, in order) to the tenant's chain: in one IMMEDIATE
// transaction (which holds SQLite's write lock, so appends from every connection and process are
// serialized) it reads the tenant's last entry, then seals and inserts each entry after the one
// before.
func (s *Store) AppendAudit(ctx context.Context, es []*hushpay.AuditEntry, seal func(prev, e *hushpay.AuditEntry) error) error {
	tenant, err := sqlstore.AuditTenant(es)
	if err != nil || len(es) == 0 {
		return err
	}
	return s.write(ctx, "append_audit", func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audit_entries
			WHERE tenant = ? ORDER BY seq DESC LIMIT 1`, tenant)
		prev, err := scanAudit(row)
		switch {
		case err == sql.ErrNoRows:
			prev = nil
		case err != nil:
			return err
		}
		for _, e := range es {
			if err := seal(prev, e); err != nil {
				return err
			}
			details, err := encodeDetails(e.Details)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit_entries (`+auditColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				e.Tenant, e.Seq, sqlstore.Micros(e.Time), e.Actor, e.Action, e.ObjectType, e.ObjectID,
				details, nonNil(e.PrevHash), nonNil(e.Hash)); err != nil {
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
	rows, err := s.reader.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_entries
		WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?`, tenant, afterSeq, sqlstore.Batch(limit))
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
	rows, err := s.reader.QueryContext(ctx, `SELECT DISTINCT tenant FROM audit_entries ORDER BY tenant`)
	if err != nil {
		return nil, dbError("audit_tenants", err)
	}
	defer rows.Close()
	var ts []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, dbError("audit_tenants", err)
		}
		ts = append(ts, t)
	}
	return ts, dbError("audit_tenants", rows.Err())
}

func scanAudit(row scanner) (*hushpay.AuditEntry, error) {
	var e hushpay.AuditEntry
	var at int64
	var details []byte
	err := row.Scan(&e.Tenant, &e.Seq, &at, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID,
		&details, &e.PrevHash, &e.Hash)
	if err != nil {
		return nil, err
	}
	e.Time = sqlstore.FromMicros(at)
	if err := sqlstore.DecodeJSON("audit details", details, &e.Details); err != nil {
		return nil, err
	}
	if len(e.Details) == 0 {
		e.Details = nil
	}
	return &e, nil
}

func encodeDetails(d map[string]string) ([]byte, error) {
	if d == nil {
		d = map[string]string{}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode audit details: %w", err)
	}
	return b, nil
}
