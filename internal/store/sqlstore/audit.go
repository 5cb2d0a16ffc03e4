package sqlstore

import "github.com/hushpay/hushpay"

// AuditTenant returns the one tenant of a batch of audit entries, or a KindInvalid error when the
// batch mixes tenants or has an entry without one. An empty batch has no tenant and no error.
func AuditTenant(es []*hushpay.AuditEntry) (string, error) {
	if len(es) == 0 {
		return "", nil
	}
	tenant := es[0].Tenant
	for _, e := range es {
		if e.Tenant != tenant || e.Tenant == "" {
			return "", hushpay.Errorf(hushpay.KindInvalid, "audit_batch", "an audit batch holds the entries of exactly one tenant")
		}
	}
	return tenant, nil
}

// AppendAudit chains es after the tenant's last stored entry, read from the row last (which may
// hold no row, for a new chain): it seals each entry after the one before with seal and stores it
// with insert, which gets the entry's values for AuditColumns. The store runs it in the
// transaction that serializes the tenant's appends.
func AppendAudit(d Dialect, last Scanner, es []*hushpay.AuditEntry, seal func(prev, e *hushpay.AuditEntry) error, insert func(values []any) error) error {
	prev, err := ScanAudit(last)
	switch {
	case NoRows(err):
		prev = nil
	case err != nil:
		return err
	}
	for _, e := range es {
		if err := seal(prev, e); err != nil {
			return err
		}
		values, err := AuditValues(d, e)
		if err != nil {
			return err
		}
		if err := insert(values); err != nil {
			return err
		}
		prev = e
	}
	return nil
}
