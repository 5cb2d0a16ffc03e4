package api

import (
	"net/http"

	"github.com/hushpay/hushpay"
)

func (s *server) listCalls(w http.ResponseWriter, r *http.Request, p hushpay.Principal) error {
	q, err := parseQuery(r, "state", "sip_call_id")
	if err != nil {
		return err
	}
	f := hushpay.CallFilter{State: hushpay.CallState(q.get("state")), SIPCallID: q.get("sip_call_id"),
		Limit: q.limit, Cursor: q.cursor}
	switch f.State {
	case "", hushpay.CallRinging, hushpay.CallActive, hushpay.CallEnded:
	default:
		return hushpay.FieldError("state", "invalid_state", "state must be ringing, active or ended")
	}
	page, err := s.payments.ListCalls(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewList(page, viewCall))
	return nil
}

func (s *server) getCall(w http.ResponseWriter, r *http.Request, p hushpay.Principal) error {
	c, err := s.payments.GetCall(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewCall(c))
	return nil
}
