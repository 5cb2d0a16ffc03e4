package apikey_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/apikey"
)

var secretShape = regexp.MustCompile(`^hp_live_([a-z2-7]{16})_[a-z2-7]{52}$`)

func TestGenerateMakesWellFormedUniqueKeys(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		secret, id, hash, err := apikey.Generate()
		if err != nil {
			t.Fatal(err)
		}
		m := secretShape.FindStringSubmatch(secret)
		if m == nil {
			t.Fatalf("secret %q does not have the documented shape", secret)
		}
		if m[1] != id {
			t.Errorf("secret carries id %q, Generate returned %q", m[1], id)
		}
		if sum := sha256.Sum256([]byte(secret)); !bytes.Equal(hash, sum[:]) {
			t.Errorf("hash is not the SHA-256 of the secret")
		}
		if seen[secret] || seen[id] {
			t.Fatalf("Generate repeated itself")
		}
		seen[secret], seen[id] = true, true
	}
}

func TestCreateStoresOnlyTheHashAndAudits(t *testing.T) {
	ctx := context.Background()
	store, log := &memStore{}, &auditLog{}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	secret, key, err := apikey.Create(ctx, store, log, "acme", hushpay.RoleSupervisor, "desk 4", now)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := store.APIKeyByHash(ctx, apikey.Hash(secret))
	if err != nil {
		t.Fatalf("key not stored under the hash of its secret: %v", err)
	}
	if stored.ID != key.ID || stored.Tenant != "acme" || stored.Role != hushpay.RoleSupervisor || !stored.CreatedAt.Equal(now) {
		t.Errorf("stored key = %+v", stored)
	}
	if bytes.Contains(stored.Hash, []byte(secret)) || strings.Contains(stored.Name, secret) {
		t.Errorf("the secret itself was stored")
	}
	want := "acme system apikey.created apikey " + key.ID
	if len(log.entries) != 1 || log.entries[0] != want {
		t.Errorf("audit entries = %q, want [%q]", log.entries, want)
	}
}

func TestCreateRejectsBadInput(t *testing.T) {
	tests := []struct {
		name   string
		tenant string
		role   hushpay.Role
		field  string
	}{
		{"an empty tenant", "", hushpay.RoleAgent, "tenant"},
		{"an unknown role", "acme", "root", "role"},
		{"no role", "acme", "", "role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &memStore{}
			_, _, err := apikey.Create(context.Background(), store, nil, tt.tenant, tt.role, "", time.Now())
			var e *hushpay.Error
			if !errors.As(err, &e) || e.Kind != hushpay.KindInvalid || e.Field != tt.field {
				t.Fatalf("err = %v, want an invalid %s", err, tt.field)
			}
			if len(store.keys) != 0 {
				t.Errorf("a key was stored")
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	store := &memStore{}
	secret, key, err := apikey.Create(ctx, store, nil, "acme", hushpay.RoleAgent, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	auth := apikey.NewAuthenticator(store)

	t.Run("a valid key yields its tenant, role and actor", func(t *testing.T) {
		p, err := auth.Authenticate(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		want := hushpay.Principal{Tenant: "acme", Role: hushpay.RoleAgent, Actor: "apikey:" + key.ID}
		if p != want {
			t.Errorf("principal = %+v, want %+v", p, want)
		}
	})

	rejected := []struct{ name, bearer string }{
		{"empty", ""},
		{"without the prefix", strings.TrimPrefix(secret, apikey.Prefix)},
		{"one character changed", secret[:len(secret)-1] + flip(secret[len(secret)-1])},
		{"truncated", secret[:len(secret)-1]},
		{"with a suffix", secret + "a"},
		{"the public id alone", apikey.Prefix + key.ID},
		{"huge", apikey.Prefix + strings.Repeat("a", 1<<20)},
	}
	for _, tt := range rejected {
		t.Run("rejects a key that is "+tt.name, func(t *testing.T) {
			_, err := auth.Authenticate(ctx, tt.bearer)
			if hushpay.KindOf(err) != hushpay.KindUnauthenticated {
				t.Fatalf("err = %v, want unauthenticated", err)
			}
			if tt.bearer != "" && strings.Contains(err.Error(), tt.bearer) {
				t.Errorf("error echoes the presented key")
			}
		})
	}
}

func TestRevocationTakesEffectWithinTheCacheTTL(t *testing.T) {
	ctx := context.Background()
	store := &memStore{}
	clock := &fakeClock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	secret, key, err := apikey.Create(ctx, store, nil, "acme", hushpay.RoleAdmin, "", clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	auth := apikey.NewAuthenticatorWithClock(store, clock)
	if _, err := auth.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if err := store.RevokeAPIKey(ctx, "acme", key.ID, clock.Now()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(apikey.CacheTTL)
	if _, err := auth.Authenticate(ctx, secret); hushpay.KindOf(err) != hushpay.KindUnauthenticated {
		t.Fatalf("revoked key still accepted %v after revocation: err = %v", apikey.CacheTTL, err)
	}
}

func TestANewKeyWorksAtOnceAfterAFailedAttempt(t *testing.T) {
	ctx := context.Background()
	store := &memStore{}
	auth := apikey.NewAuthenticator(store)
	secret, id, hash, err := apikey.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Authenticate(ctx, secret); err == nil {
		t.Fatal("a key not yet stored was accepted")
	}
	if err := store.CreateAPIKey(ctx, &hushpay.APIKey{ID: id, Tenant: "acme", Role: hushpay.RoleAuditor, Hash: hash}); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Authenticate(ctx, secret); err != nil {
		t.Fatalf("a stored key was rejected (a failed lookup was cached?): %v", err)
	}
}

func FuzzAuthenticate(f *testing.F) {
	ctx := context.Background()
	store := &memStore{}
	secret, _, err := apikey.Create(ctx, store, nil, "acme", hushpay.RoleAgent, "", time.Now())
	if err != nil {
		f.Fatal(err)
	}
	auth := apikey.NewAuthenticator(store)
	f.Add("hp_live_")
	f.Add("Bearer hp_live_x_y")
	f.Fuzz(func(t *testing.T, bearer string) {
		p, err := auth.Authenticate(ctx, bearer)
		if bearer == secret {
			if err != nil {
				t.Fatalf("the real key was rejected: %v", err)
			}
			return
		}
		if err == nil || p != (hushpay.Principal{}) {
			t.Fatalf("a wrong key was accepted")
		}
		if hushpay.KindOf(err) != hushpay.KindUnauthenticated {
			t.Fatalf("err kind = %v, want unauthenticated", hushpay.KindOf(err))
		}
	})
}

func flip(c byte) string {
	if c == 'a' {
		return "b"
	}
	return "a"
}
