package apikey_test

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/hushpay/hushpay"
)

// memStore is an in-memory hushpay.APIKeyStore that keeps the Store conventions: another tenant's
// key is not found, a duplicate id is a conflict.
type memStore struct {
	mu   sync.Mutex
	keys []*hushpay.APIKey
}

func (s *memStore) CreateAPIKey(_ context.Context, k *hushpay.APIKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.keys {
		if o.ID == k.ID {
			return hushpay.Errorf(hushpay.KindConflict, "conflict", "api key exists")
		}
	}
	c := *k
	s.keys = append(s.keys, &c)
	return nil
}

func (s *memStore) APIKeyByHash(_ context.Context, hash []byte) (*hushpay.APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if bytes.Equal(k.Hash, hash) {
			c := *k
			return &c, nil
		}
	}
	return nil, hushpay.NotFound("api key")
}

func (s *memStore) ListAPIKeys(_ context.Context, tenant string) ([]*hushpay.APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*hushpay.APIKey
	for _, k := range s.keys {
		if k.Tenant == tenant {
			c := *k
			out = append(out, &c)
		}
	}
	return out, nil
}

func (s *memStore) RevokeAPIKey(_ context.Context, tenant, id string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.Tenant == tenant && k.ID == id {
			k.RevokedAt = &at
			return nil
		}
	}
	return hushpay.NotFound("api key")
}

// auditLog is an in-memory Recorder.
type auditLog struct {
	mu      sync.Mutex
	entries []string
}

func (l *auditLog) Record(_ context.Context, tenant, actor, action, objectType, objectID string, _ map[string]string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, tenant+" "+actor+" "+action+" "+objectType+" "+objectID)
	return nil
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
