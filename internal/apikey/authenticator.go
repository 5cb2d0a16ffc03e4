package apikey

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hushpay/hushpay"
)

// CacheTTL is how long Authenticate trusts a key it has already looked up. A revoked key therefore
// stops working at most CacheTTL after the revocation is stored, on every node.
const CacheTTL = 5 * time.Second

// maxCached bounds the cache; when it is full, expired entries are dropped, and if none are, all.
const maxCached = 4096

// maxSecretLen is far above a real key and stops hashing megabytes of header.
const maxSecretLen = 256

// Authenticator turns a bearer secret into the principal of its key.
type Authenticator struct {
	store hushpay.APIKeyStore
	clock hushpay.Clock

	mu    sync.Mutex
	cache map[[32]byte]cached
}

type cached struct {
	principal hushpay.Principal
	until     time.Time
}

// NewAuthenticator returns an Authenticator that looks keys up in store, remembering each found key
// for CacheTTL. Unknown secrets are never cached, so a new key works at once.
func NewAuthenticator(store hushpay.APIKeyStore) *Authenticator {
	return NewAuthenticatorWithClock(store, hushpay.SystemClock{})
}

// NewAuthenticatorWithClock is NewAuthenticator with the clock that times the cache.
func NewAuthenticatorWithClock(store hushpay.APIKeyStore, clock hushpay.Clock) *Authenticator {
	return &Authenticator{store: store, clock: clock, cache: make(map[[32]byte]cached)}
}

// Authenticate returns the principal of the key whose secret is bearer. Anything else (an empty,
// malformed, unknown or revoked key) is a KindUnauthenticated error that says nothing about which.
func (a *Authenticator) Authenticate(ctx context.Context, bearer string) (hushpay.Principal, error) {
	if bearer == "" || len(bearer) > maxSecretLen || !strings.HasPrefix(bearer, Prefix) {
		return hushpay.Principal{}, errUnauthenticated()
	}
	var hash [32]byte
	copy(hash[:], Hash(bearer))
	now := a.clock.Now()
	if p, ok := a.lookupCache(hash, now); ok {
		return p, nil
	}
	key, err := a.store.APIKeyByHash(ctx, hash[:])
	if hushpay.IsNotFound(err) {
		return hushpay.Principal{}, errUnauthenticated()
	}
	if err != nil {
		return hushpay.Principal{}, fmt.Errorf("apikey.authenticate: %w", err)
	}
	if subtle.ConstantTimeCompare(key.Hash, hash[:]) != 1 || key.RevokedAt != nil || !key.Role.Valid() {
		return hushpay.Principal{}, errUnauthenticated()
	}
	p := hushpay.Principal{Tenant: key.Tenant, Role: key.Role, Actor: Actor(key.ID)}
	a.storeCache(hash, p, now)
	return p, nil
}

func (a *Authenticator) lookupCache(hash [32]byte, now time.Time) (hushpay.Principal, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.cache[hash]
	if !ok {
		return hushpay.Principal{}, false
	}
	if !now.Before(c.until) {
		delete(a.cache, hash)
		return hushpay.Principal{}, false
	}
	return c.principal, true
}

func (a *Authenticator) storeCache(hash [32]byte, p hushpay.Principal, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.cache) >= maxCached {
		a.dropExpired(now)
	}
	if len(a.cache) >= maxCached {
		clear(a.cache)
	}
	a.cache[hash] = cached{principal: p, until: now.Add(CacheTTL)}
}

func (a *Authenticator) dropExpired(now time.Time) {
	for h, c := range a.cache {
		if !now.Before(c.until) {
			delete(a.cache, h)
		}
	}
}

func errUnauthenticated() error {
	return &hushpay.Error{Op: "apikey.authenticate", Kind: hushpay.KindUnauthenticated, Code: "unauthenticated",
		Message: "a valid API key is required"}
}
