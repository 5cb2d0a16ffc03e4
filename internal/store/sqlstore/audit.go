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
