package hushpay

import "time"

// DefaultTenant is the tenant used when none is named.
const DefaultTenant = "default"

// Role is what an API key or user may do.
type Role string

// The roles of the SPEC.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
	RoleAuditor    Role = "auditor"
)

// Roles lists every role.
var Roles = []Role{RoleAgent, RoleSupervisor, RoleAdmin, RoleAuditor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAgent, RoleSupervisor, RoleAdmin, RoleAuditor:
		return true
	}
	return false
}

// Permission is one class of action in the role matrix.
type Permission string

// The permissions of the SPEC's role matrix.
const (
	PermOperatePayments Permission = "operate_payments" // create, capture/reset field, submit, cancel, link
	PermReadPayments    Permission = "read_payments"    // read payments and calls, events
	PermRefund          Permission = "refund"
	PermReadAudit       Permission = "read_audit"
	PermAdminister      Permission = "administer" // API keys, users, webhooks, settings
)

// Can reports whether the role holds the permission.
func (r Role) Can(p Permission) bool {
	switch p {
	case PermOperatePayments:
		return r == RoleAgent || r == RoleSupervisor || r == RoleAdmin
	case PermReadPayments:
		return r.Valid()
	case PermRefund:
		return r == RoleSupervisor || r == RoleAdmin
	case PermReadAudit:
		return r == RoleSupervisor || r == RoleAdmin || r == RoleAuditor
	case PermAdminister:
		return r == RoleAdmin
	}
	return false
}

// APIKey is a machine credential. Only a hash of the secret is stored; the secret is shown once.
type APIKey struct {
	ID         string     `json:"id"`     // public identifier, also the key's visible prefix
	Tenant     string     `json:"tenant"` // the one tenant the key acts in
	Role       Role       `json:"role"`
	Name       string     `json:"name,omitempty"`
	Hash       []byte     `json:"-"` // SHA-256 of the full secret
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// Principal is who is acting: a tenant, a role and an actor name for the audit trail.
type Principal struct {
	Tenant string
	Role   Role
	Actor  string // e.g. "apikey:hpk_ab12", "caller:link", "system"
}

// System returns the principal for hushpay's own actions in a tenant (expiry, call end).
func System(tenant string) Principal {
	return Principal{Tenant: tenant, Role: RoleAdmin, Actor: "system"}
}
