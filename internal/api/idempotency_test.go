package api_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/api"
	"github.com/hushpay/hushpay/internal/payments"
)

const createBody = `{"amount": 4200, "currency": "usd", "reference": "order-77"}`

func withKey(key, body, apiKey string) request {
	return request{method: http.MethodPost, path: "/v1/payments", key: apiKey, body: body,
		header: map[string]string{"Idempotency-Key": key}}
}

func TestIdempotencyKeys(t *testing.T) {
	h := newHarness(t)
	agent := h.keys[hushpay.RoleAgent]

	t.Run("a replay returns the first response unchanged and creates nothing", func(t *testing.T) {
		first := h.do(withKey("k-replay", createBody, agent))
		if first.status != http.StatusCreated || first.header.Get(api.ReplayedHeader) != "" {
			t.Fatalf("first: %d %v", first.status, first.header)
		}
		again := h.do(withKey("k-replay", createBody, h.keys[hushpay.RoleSupervisor]))
		if again.status != first.status || !bytes.Equal(again.body, first.body) {
			t.Errorf("replay = %d %s, want %d %s", again.status, again.body, first.status, first.body)
		}
		if again.header.Get(api.ReplayedHeader) != "true" {
			t.Errorf("replay without %s: true", api.ReplayedHeader)
		}
		if n := countPayments(t, h, "order-77"); n != 1 {
			t.Errorf("%d payments with the reference, want 1", n)
		}
	})

	t.Run("the same key with another body is a conflict", func(t *testing.T) {
		h.do(withKey("k-reuse", createBody, agent))
		res := h.do(withKey("k-reuse", strings.Replace(createBody, "4200", "4300", 1), agent))
		if code, _ := res.errorCode(t); res.status != http.StatusConflict || code != "idempotency_key_reuse" {
			t.Errorf("got %d %s, want 409 idempotency_key_reuse", res.status, code)
		}
	})

	t.Run("the same key on another route is a conflict", func(t *testing.T) {
		first := h.do(withKey("k-route", createBody, agent))
		id := first.json(t)["id"].(string)
		res := h.do(request{method: http.MethodPost, path: "/v1/payments/" + id + "/cancel", key: agent,
			header: map[string]string{"Idempotency-Key": "k-route"}})
		if code, _ := res.errorCode(t); res.status != http.StatusConflict || code != "idempotency_key_reuse" {
			t.Errorf("got %d %s, want 409 idempotency_key_reuse", res.status, code)
		}
	})

	t.Run("keys are scoped to the tenant", func(t *testing.T) {
		mine := h.do(withKey("k-tenant", createBody, agent))
		theirs := h.do(withKey("k-tenant", createBody, h.otherKey))
		if theirs.status != http.StatusCreated || theirs.header.Get(api.ReplayedHeader) != "" {
			t.Fatalf("other tenant: %d replayed=%q", theirs.status, theirs.header.Get(api.ReplayedHeader))
		}
		if mine.json(t)["id"] == theirs.json(t)["id"] {
			t.Errorf("the other tenant was given this tenant's payment")
		}
	})

	t.Run("a client error is remembered too", func(t *testing.T) {
		bad := `{"amount": 100, "currency": "xyz", "reference": "r"}`
		first := h.do(withKey("k-bad", bad, agent))
		again := h.do(withKey("k-bad", bad, agent))
		if first.status != http.StatusBadRequest || again.status != first.status || again.header.Get(api.ReplayedHeader) != "true" {
			t.Errorf("first %d, again %d replayed=%q", first.status, again.status, again.header.Get(api.ReplayedHeader))
		}
	})

	t.Run("a malformed key is refused", func(t *testing.T) {
		for _, key := range []string{strings.Repeat("k", 256), "has space", "tab\tkey"} {
			res := h.do(withKey(key, createBody, agent))
			if code, field := res.errorCode(t); res.status != 400 || code != "invalid_idempotency_key" || field != "Idempotency-Key" {
				t.Errorf("key %q: %d %s %s", key, res.status, code, field)
			}
		}
	})
}

func TestServerErrorsAreNotRemembered(t *testing.T) {
	var failures atomic.Int32
	failures.Store(1)
	h := newHarness(t, decorate(func(next api.Payments) api.Payments {
		return createHook{Payments: next, create: func(ctx context.Context, p hushpay.Principal, req payments.CreateRequest) (*hushpay.Payment, error) {
			if failures.Add(-1) >= 0 {
				return nil, errors.New("database is locked")
			}
			return next.Create(ctx, p, req)
		}}
	}))
	first := h.do(withKey("k-500", createBody, h.keys[hushpay.RoleAgent]))
	if first.status != http.StatusInternalServerError {
		t.Fatalf("first: %d, want 500", first.status)
	}
	if strings.Contains(string(first.body), "locked") {
		t.Errorf("a 500 tells the client its detail: %s", first.body)
	}
	retry := h.do(withKey("k-500", createBody, h.keys[hushpay.RoleAgent]))
	if retry.status != http.StatusCreated || retry.header.Get(api.ReplayedHeader) != "" {
		t.Errorf("retry: %d replayed=%q, want a fresh 201", retry.status, retry.header.Get(api.ReplayedHeader))
	}
}

func TestAConcurrentDuplicateIsRefusedWhileTheFirstRuns(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h := newHarness(t, decorate(func(next api.Payments) api.Payments {
		return createHook{Payments: next, create: func(ctx context.Context, p hushpay.Principal, req payments.CreateRequest) (*hushpay.Payment, error) {
			once.Do(func() { close(entered); <-release })
			return next.Create(ctx, p, req)
		}}
	}))
	agent := h.keys[hushpay.RoleAgent]
	done := make(chan response)
	go func() { done <- h.do(withKey("k-flight", createBody, agent)) }()
	<-entered
	dup := h.do(withKey("k-flight", createBody, agent))
	close(release)
	first := <-done
	if code, _ := dup.errorCode(t); dup.status != http.StatusConflict || code != "idempotency_key_in_use" {
		t.Errorf("duplicate: %d %s, want 409 idempotency_key_in_use", dup.status, code)
	}
	if first.status != http.StatusCreated {
		t.Errorf("first: %d, want 201", first.status)
	}
	if after := h.do(withKey("k-flight", createBody, agent)); after.header.Get(api.ReplayedHeader) != "true" {
		t.Errorf("after the first finished, the key does not replay: %d", after.status)
	}
}

// createHook is the real service with Create passed through a test's function.
type createHook struct {
	api.Payments
	create func(ctx context.Context, p hushpay.Principal, req payments.CreateRequest) (*hushpay.Payment, error)
}

func (c createHook) Create(ctx context.Context, p hushpay.Principal, req payments.CreateRequest) (*hushpay.Payment, error) {
	return c.create(ctx, p, req)
}

// decorate wraps the service the API is given.
func decorate(wrap func(api.Payments) api.Payments) harnessOption {
	return func(cfg *api.Config) { cfg.Payments = wrap(cfg.Payments) }
}

func countPayments(t *testing.T, h *harness, reference string) int {
	t.Helper()
	res := h.get("/v1/payments?reference="+reference, h.keys[hushpay.RoleAuditor])
	return len(res.json(t)["data"].([]any))
}

// getHook is the real service with Get passed through a test's function.
type getHook struct {
	api.Payments
	get func(ctx context.Context, p hushpay.Principal, id string) (*hushpay.Payment, error)
}

func (g getHook) Get(ctx context.Context, p hushpay.Principal, id string) (*hushpay.Payment, error) {
	return g.get(ctx, p, id)
}
