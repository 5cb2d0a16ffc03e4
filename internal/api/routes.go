package api

import (
	"net/http"

	"github.com/hushpay/hushpay"
)

// handlerFunc serves an authenticated request for principal p; an error it returns becomes the
// error response.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p hushpay.Principal) error

// route is one entry of the API: a ServeMux pattern, the permission it needs (none for a public
// route) and its handler.
type route struct {
	pattern string
	perm    hushpay.Permission
	serve   handlerFunc
	public  http.HandlerFunc
}

// routes is the whole API. Every /v1 route except the OpenAPI document needs a key and a permission.
func (s *server) routes() []route {
	return []route{
		{pattern: "POST /v1/payments", perm: hushpay.PermOperatePayments, serve: s.createPayment},
		{pattern: "GET /v1/payments", perm: hushpay.PermReadPayments, serve: s.listPayments},
		{pattern: "GET /v1/payments/{id}", perm: hushpay.PermReadPayments, serve: s.getPayment},
		{pattern: "POST /v1/payments/{id}/capture", perm: hushpay.PermOperatePayments, serve: s.moveCapture},
		{pattern: "POST /v1/payments/{id}/fields/{field}/reset", perm: hushpay.PermOperatePayments, serve: s.resetField},
		{pattern: "POST /v1/payments/{id}/submit", perm: hushpay.PermOperatePayments, serve: s.submit},
		{pattern: "POST /v1/payments/{id}/cancel", perm: hushpay.PermOperatePayments, serve: s.cancel},
		{pattern: "POST /v1/payments/{id}/refund", perm: hushpay.PermRefund, serve: s.refund},
		{pattern: "POST /v1/payments/{id}/link", perm: hushpay.PermOperatePayments, serve: s.createLink},
		{pattern: "GET /v1/payments/{id}/events", perm: hushpay.PermReadPayments, serve: s.events},
		{pattern: "GET /v1/calls", perm: hushpay.PermReadPayments, serve: s.listCalls},
		{pattern: "GET /v1/calls/{id}", perm: hushpay.PermReadPayments, serve: s.getCall},
		{pattern: "GET /v1/openapi.json", public: s.openAPI},
		{pattern: "GET /healthz", public: s.healthz},
		{pattern: "GET /readyz", public: s.readyz},
		{pattern: "GET /metrics", public: s.serveMetrics},
	}
}

// chain wraps a route's handler in what every route of its kind needs: for a protected route the
// key check, the role check and, for POST, the Idempotency-Key handling.
func (s *server) chain(rt route) http.Handler {
	if rt.public != nil {
		return rt.public
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !p.Role.Can(rt.perm) {
			s.writeError(w, r, &hushpay.Error{Kind: hushpay.KindForbidden, Code: "forbidden",
				Message: "your role does not allow this action"})
			return
		}
		serve := func(w http.ResponseWriter, r *http.Request) {
			if err := rt.serve(w, r, p); err != nil {
				s.writeError(w, r, err)
			}
		}
		if r.Method == http.MethodPost {
			s.idem.serve(w, r, p, serve, s.writeError)
			return
		}
		serve(w, r)
	})
}
