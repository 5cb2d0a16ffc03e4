package api_test

import (
	"net/http"
	"testing"

	"github.com/hushpay/hushpay"
)

// routeCase is one route of the API as a client calls it: a fresh object for each call (prepare
// returns the path), the body, the status on success and the roles the SPEC's matrix allows.
type routeCase struct {
	method  string
	route   string
	prepare func(h *harness) string
	body    string
	success int
	allowed []hushpay.Role
}

var (
	everyone  = []hushpay.Role{hushpay.RoleAgent, hushpay.RoleSupervisor, hushpay.RoleAdmin, hushpay.RoleAuditor}
	operators = []hushpay.Role{hushpay.RoleAgent, hushpay.RoleSupervisor, hushpay.RoleAdmin}
	refunders = []hushpay.Role{hushpay.RoleSupervisor, hushpay.RoleAdmin}
)

func fixed(path string) func(*harness) string { return func(*harness) string { return path } }

func onPayment(suffix string, make func(h *harness) *hushpay.Payment) func(*harness) string {
	return func(h *harness) string { return "/v1/payments/" + make(h).ID + suffix }
}

func plainPayment(h *harness) *hushpay.Payment    { return h.newPayment(tenant, false) }
func paymentOnCall(h *harness) *hushpay.Payment   { return h.newPayment(tenant, true) }
func readyPayment(h *harness) *hushpay.Payment    { return h.readyPayment(tenant, "4242424242424242") }
func paidPayment(h *harness) *hushpay.Payment     { return h.paidPayment(tenant, "5555555555554444") }
func finishedPayment(h *harness) *hushpay.Payment { return h.paidPayment(tenant, "4000000000000002") }

// routeCases is every protected route. Events are read on a finished payment, whose stream ends
// after the first event.
var routeCases = []routeCase{
	{"POST", "/v1/payments", fixed("/v1/payments"), `{"amount": 1000, "currency": "eur", "reference": "r-1"}`, 201, operators},
	{"GET", "/v1/payments", fixed("/v1/payments?limit=5"), "", 200, everyone},
	{"GET", "/v1/payments/{id}", onPayment("", plainPayment), "", 200, everyone},
	{"POST", "/v1/payments/{id}/capture", onPayment("/capture", paymentOnCall), `{"field": "expiry"}`, 200, operators},
	{"POST", "/v1/payments/{id}/fields/{field}/reset", onPayment("/fields/card_number/reset", paymentOnCall), "", 200, operators},
	{"POST", "/v1/payments/{id}/submit", onPayment("/submit", readyPayment), "", 200, operators},
	{"POST", "/v1/payments/{id}/cancel", onPayment("/cancel", plainPayment), "", 200, operators},
	{"POST", "/v1/payments/{id}/refund", onPayment("/refund", paidPayment), `{"amount": 100}`, 200, refunders},
	{"POST", "/v1/payments/{id}/link", onPayment("/link", plainPayment), `{}`, 201, operators},
	{"GET", "/v1/payments/{id}/events", onPayment("/events", finishedPayment), "", 200, everyone},
	{"GET", "/v1/calls", fixed("/v1/calls?state=active"), "", 200, everyone},
	{"GET", "/v1/calls/{id}", func(h *harness) string { return "/v1/calls/" + h.newCall(tenant).ID }, "", 200, everyone},
}

func TestRoleMatrixRouteByRoute(t *testing.T) {
	h := newHarness(t)
	for _, rc := range routeCases {
		for _, role := range hushpay.Roles {
			allowed := contains(rc.allowed, role)
			name := rc.method + " " + rc.route + " as " + string(role)
			if allowed {
				name += " succeeds"
			} else {
				name += " is forbidden"
			}
			t.Run(name, func(t *testing.T) {
				res := h.do(request{method: rc.method, path: rc.prepare(h), key: h.keys[role], body: rc.body})
				want := http.StatusForbidden
				if allowed {
					want = rc.success
				}
				if res.status != want {
					t.Fatalf("status = %d, want %d: %s", res.status, want, res.body)
				}
			})
		}
	}
}

func TestAnotherTenantsObjectsAreNotFound(t *testing.T) {
	h := newHarness(t)
	for _, rc := range routeCases {
		if rc.prepare == nil || rc.route == "/v1/payments" || rc.route == "/v1/calls" {
			continue
		}
		t.Run(rc.method+" "+rc.route, func(t *testing.T) {
			res := h.do(request{method: rc.method, path: rc.prepare(h), key: h.otherKey, body: rc.body})
			if res.status != http.StatusNotFound {
				t.Fatalf("status = %d, want 404: %s", res.status, res.body)
			}
			if code, _ := res.errorCode(t); code != "not_found" {
				t.Errorf("code = %q, want not_found", code)
			}
		})
	}
	t.Run("lists show only the key's tenant", func(t *testing.T) {
		h.newPayment(tenant, true)
		for _, path := range []string{"/v1/payments", "/v1/calls"} {
			if n := len(h.get(path, h.keys[hushpay.RoleAuditor]).json(t)["data"].([]any)); n == 0 {
				t.Fatalf("%s lists nothing for the owning tenant", path)
			}
			if n := len(h.get(path, h.otherKey).json(t)["data"].([]any)); n != 0 {
				t.Errorf("%s of another tenant lists %d objects", path, n)
			}
		}
	})
}

func contains(roles []hushpay.Role, r hushpay.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}
