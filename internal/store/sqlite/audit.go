package sqlite

import (
	"context"
	"database/sql"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

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
		last := tx.QueryRowContext(ctx, `SELECT `+sqlstore.AuditColumns+` FROM audit_entries
			WHERE tenant = ? ORDER BY seq DESC LIMIT 1`, tenant)
		return sqlstore.AppendAudit(dialect, last, es, seal, func(values []any) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO audit_entries (`+sqlstore.AuditColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, values...)
			return err
		})
	})
}

// ListAudit returns up to limit (at most sqlstore.MaxBatch) entries of the tenant with Seq >
// afterSeq, in Seq order.
func (s *Store) ListAudit(ctx context.Context, tenant string, afterSeq int64, limit int) ([]*hushpay.AuditEntry, error) {
	es, err := sqlstore.Query(ctx, s.query, sqlstore.ScanAudit, `SELECT `+sqlstore.AuditColumns+` FROM audit_entries
		WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?`, tenant, afterSeq, sqlstore.Batch(limit))
	return es, dbError("list_audit", err)
}

// AuditTenants lists the tenants that have an audit chain, in name order.
func (s *Store) AuditTenants(ctx context.Context) ([]string, error) {
	ts, err := sqlstore.Query(ctx, s.query, sqlstore.ScanString, `SELECT DISTINCT tenant FROM audit_entries ORDER BY tenant`)
	return ts, dbError("audit_tenants", err)
}
