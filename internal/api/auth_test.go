package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
)

// protectedRoutes is every route that needs a key, with ids that need not exist: authentication
// and the role check come before any lookup.
var protectedRoutes = []struct{ method, path string }{
	{"POST", "/v1/payments"},
	{"GET", "/v1/payments"},
	{"GET", "/v1/payments/pay_x"},
	{"POST", "/v1/payments/pay_x/capture"},
	{"POST", "/v1/payments/pay_x/fields/card_number/reset"},
	{"POST", "/v1/payments/pay_x/submit"},
	{"POST", "/v1/payments/pay_x/cancel"},
	{"POST", "/v1/payments/pay_x/refund"},
	{"POST", "/v1/payments/pay_x/link"},
	{"GET", "/v1/payments/pay_x/events"},
	{"GET", "/v1/calls"},
	{"GET", "/v1/calls/call_x"},
}

func TestEveryV1RouteNeedsAValidKey(t *testing.T) {
	h := newHarness(t)
	revoked := h.newKey(tenant, hushpay.RoleAdmin)
	revokeKey(t, h, tenant, revoked)

	credentials := []struct{ name, header string }{
		{"no Authorization header", ""},
		{"a Basic scheme", "Basic " + h.keys[hushpay.RoleAdmin]},
		{"Bearer without a key", "Bearer "},
		{"an unknown key", "Bearer hp_live_aaaaaaaaaaaaaaaa_" + strings.Repeat("b", 52)},
		{"a revoked key", "Bearer " + revoked},
	}
	for _, rt := range protectedRoutes {
		for _, c := range credentials {
			t.Run(rt.method+" "+rt.path+" with "+c.name, func(t *testing.T) {
				req := request{method: rt.method, path: rt.path, header: map[string]string{}}
				if c.header != "" {
					req.header["Authorization"] = c.header
				}
				res := h.do(req)
				if res.status != http.StatusUnauthorized {
					t.Fatalf("status = %d, want 401: %s", res.status, res.body)
				}
				if !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q, want Bearer", res.header.Get("WWW-Authenticate"))
				}
				if code, _ := res.errorCode(t); code != "unauthenticated" {
					t.Errorf("code = %q, want unauthenticated", code)
				}
			})
		}
	}
}

// revokeKey revokes the key whose secret is given, by finding it among the tenant's keys.
func revokeKey(t *testing.T, h *harness, tenant, secret string) {
	t.Helper()
	ctx := context.Background()
	keys, err := h.store.ListAPIKeys(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if strings.Contains(secret, "_"+k.ID+"_") {
			if err := h.store.RevokeAPIKey(ctx, tenant, k.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("key to revoke not found")
}

// forbidden lists, per route, the roles the SPEC's matrix refuses.
var forbidden = map[string][]hushpay.Role{
	"POST /v1/payments":                                {hushpay.RoleAuditor},
	"POST /v1/payments/pay_x/capture":                  {hushpay.RoleAuditor},
	"POST /v1/payments/pay_x/fields/card_number/reset": {hushpay.RoleAuditor},
	"POST /v1/payments/pay_x/submit":                   {hushpay.RoleAuditor},
	"POST /v1/payments/pay_x/cancel":                   {hushpay.RoleAuditor},
	"POST /v1/payments/pay_x/link":                     {hushpay.RoleAuditor},
	"POST /v1/payments/pay_x/refund":                   {hushpay.RoleAgent, hushpay.RoleAuditor},
}

func TestRolesOutsideTheMatrixAreForbiddenBeforeAnyLookup(t *testing.T) {
	h := newHarness(t)
	for _, rt := range protectedRoutes {
		for _, role := range hushpay.Roles {
			route := rt.method + " " + rt.path
			refused := false
			for _, r := range forbidden[route] {
				refused = refused || r == role
			}
			t.Run(route+" as "+string(role), func(t *testing.T) {
				res := h.do(request{method: rt.method, path: rt.path, key: h.keys[role], body: "{}"})
				if refused != (res.status == http.StatusForbidden) {
					t.Fatalf("status = %d, forbidden by the matrix: %v", res.status, refused)
				}
				if refused {
					if code, _ := res.errorCode(t); code != "forbidden" {
						t.Errorf("code = %q, want forbidden", code)
					}
				}
			})
		}
	}
}
