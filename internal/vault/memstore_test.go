package vault_test

import (
	"bytes"
	"context"
	"slices"
	"sync"

	"github.com/hushpay/hushpay"
)

// memStore is an in-memory hushpay.KeyStore and hushpay.TokenStore with the real stores' rules
// (conflicts, not-found, compare-and-swap re-wrapping), enough to drive the vault.
type memStore struct {
	mu     sync.Mutex
	keys   []hushpay.DataKey
	tokens map[string]*hushpay.Token // by tenant + "/" + id
}

func newMemStore() *memStore { return &memStore{tokens: map[string]*hushpay.Token{}} }

func (s *memStore) CreateDataKey(_ context.Context, k hushpay.DataKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, have := range s.keys {
		if have.Version == k.Version {
			return hushpay.Errorf(hushpay.KindConflict, "conflict", "data key exists")
		}
	}
	k.Wrapped = bytes.Clone(k.Wrapped)
	s.keys = append(s.keys, k)
	slices.SortFunc(s.keys, func(a, b hushpay.DataKey) int { return a.Version - b.Version })
	return nil
}

func (s *memStore) ListDataKeys(context.Context) ([]hushpay.DataKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.keys), nil
}

func (s *memStore) RewrapDataKey(_ context.Context, k hushpay.DataKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, have := range s.keys {
		if have.Version == k.Version {
			k.Wrapped = bytes.Clone(k.Wrapped)
			s.keys[i] = k
			return nil
		}
	}
	return hushpay.NotFound("data key")
}

func (s *memStore) CreateToken(_ context.Context, t *hushpay.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tokens[t.Tenant+"/"+t.ID]; ok {
		return hushpay.Errorf(hushpay.KindConflict, "conflict", "token exists")
	}
	c := *t
	s.tokens[t.Tenant+"/"+t.ID] = &c
	return nil
}

func (s *memStore) GetToken(_ context.Context, tenant, id string) (*hushpay.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tenant+"/"+id]
	if !ok {
		return nil, hushpay.NotFound("token")
	}
	c := *t
	return &c, nil
}

func (s *memStore) FindTokens(_ context.Context, tenant, fingerprint string) ([]*hushpay.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*hushpay.Token
	for _, t := range s.tokens {
		if t.Tenant == tenant && t.Fingerprint == fingerprint {
			c := *t
			found = append(found, &c)
		}
	}
	return found, nil
}

func (s *memStore) ListTokensBelowKeyVersion(_ context.Context, version, limit int) ([]*hushpay.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*hushpay.Token
	for _, t := range s.tokens {
		if t.KeyVersion < version && len(found) < limit {
			c := *t
			found = append(found, &c)
		}
	}
	return found, nil
}

func (s *memStore) RewrapToken(_ context.Context, tenant, id string, from int, t *hushpay.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	have, ok := s.tokens[tenant+"/"+id]
	switch {
	case !ok:
		return hushpay.NotFound("token")
	case have.KeyVersion != from:
		return hushpay.Errorf(hushpay.KindConflict, "conflict", "token re-wrapped meanwhile")
	}
	have.KeyVersion, have.Ciphertext = t.KeyVersion, bytes.Clone(t.Ciphertext)
	return nil
}

func (s *memStore) DeleteToken(_ context.Context, tenant, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, tenant+"/"+id)
	return nil
}

var (
	_ hushpay.KeyStore   = (*memStore)(nil)
	_ hushpay.TokenStore = (*memStore)(nil)
)
