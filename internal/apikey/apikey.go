package apikey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/hushpay/hushpay"
)

// Prefix starts every API key secret, so secret scanners and people can recognize one.
const Prefix = "hp_live_"

const (
	idBytes     = 10 // 80 bits: unique enough for a public identifier
	secretBytes = 32 // 256 bits of secret
	maxNameLen  = 100
)

// encoding is lower-case base32 without padding: only [a-z2-7], safe in headers and URLs.
var encoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Recorder appends an entry to the audit trail (internal/audit implements it).
type Recorder interface {
	Record(ctx context.Context, tenant, actor, action, objectType, objectID string, details map[string]string) error
}

// Generate makes a new key: the secret to show once ("hp_live_<id>_<52 base32 characters>"), its
// public id, and the SHA-256 of the secret, which is all that is stored.
func Generate() (secret string, id string, hash []byte, err error) {
	raw := make([]byte, idBytes+secretBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", "", nil, fmt.Errorf("apikey: random: %w", err)
	}
	id = encoding.EncodeToString(raw[:idBytes])
	secret = Prefix + id + "_" + encoding.EncodeToString(raw[idBytes:])
	return secret, id, Hash(secret), nil
}

// Hash returns the SHA-256 of a secret, the form in which keys are stored and looked up.
func Hash(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// Actor names a key in the audit trail and the logs.
func Actor(id string) string { return "apikey:" + id }

// Create generates a key for the tenant and role, stores its hash, records "apikey.created" in the
// audit trail (when rec is not nil) and returns the secret, which is never available again.
func Create(ctx context.Context, store hushpay.APIKeyStore, rec Recorder, tenant string, role hushpay.Role, name string, now time.Time) (string, *hushpay.APIKey, error) {
	const op = "apikey.create"
	if err := validate(tenant, role, name); err != nil {
		return "", nil, hushpay.WithOp(op, err)
	}
	secret, id, hash, err := Generate()
	if err != nil {
		return "", nil, &hushpay.Error{Op: op, Kind: hushpay.KindOther, Code: "internal", Err: err}
	}
	key := &hushpay.APIKey{ID: id, Tenant: tenant, Role: role, Name: name, Hash: hash, CreatedAt: now.UTC()}
	if err := store.CreateAPIKey(ctx, key); err != nil {
		return "", nil, fmt.Errorf("%s: store: %w", op, err)
	}
	if rec != nil {
		details := map[string]string{"role": string(role)}
		if name != "" {
			details["name"] = name
		}
		if err := rec.Record(ctx, tenant, "system", "apikey.created", "apikey", id, details); err != nil {
			return "", nil, fmt.Errorf("%s: audit: %w", op, err)
		}
	}
	return secret, key, nil
}

func validate(tenant string, role hushpay.Role, name string) error {
	switch {
	case strings.TrimSpace(tenant) == "":
		return hushpay.FieldError("tenant", "invalid_tenant", "tenant must not be empty")
	case !role.Valid():
		return hushpay.FieldError("role", "invalid_role", "role must be agent, supervisor, admin or auditor")
	case len(name) > maxNameLen:
		return hushpay.FieldError("name", "invalid_name", "name must be at most 100 bytes")
	}
	return nil
}
