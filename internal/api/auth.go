package api

import (
	"net/http"
	"strings"

	"github.com/hushpay/hushpay"
)

// authenticate returns the principal of the request's bearer key and notes its actor for the
// request log.
func (s *server) authenticate(r *http.Request) (hushpay.Principal, error) {
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return hushpay.Principal{}, &hushpay.Error{Kind: hushpay.KindUnauthenticated, Code: "unauthenticated",
			Message: "send an API key as Authorization: Bearer <key>"}
	}
	p, err := s.auth.Authenticate(r.Context(), strings.TrimSpace(secret))
	if err != nil {
		return hushpay.Principal{}, err
	}
	if info := infoOf(r); info != nil {
		info.actor = p.Actor
	}
	return p, nil
}
