package web

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/api"
	"github.com/hushpay/hushpay/internal/payments"
)

// maxDeskBody bounds a desktop JSON request.
const maxDeskBody = 16 << 10

// desk is what the agent desktop page starts with.
type desk struct {
	Calls      []callView
	CanOperate bool
	CardFields []hushpay.FieldName
	ACHFields  []hushpay.FieldName
}

// callView is one live call as the desktop lists it.
type callView struct {
	ID        string    `json:"id"`
	Caller    string    `json:"caller"`
	StartedAt time.Time `json:"started_at"`
	Secure    bool      `json:"secure"`
	PaymentID string    `json:"payment_id,omitempty"`
}

// paymentList is the supervisor view: a filtered page of payments.
type paymentList struct {
	State, Reference, CallID string
	States                   []hushpay.PaymentState
	Rows                     []paymentView
	Next                     string
}

func (h *Handler) routeAgent() {
	h.mux.HandleFunc("GET /agent", h.page(hushpay.PermReadPayments, h.showDesk))
	h.mux.HandleFunc("GET /agent/payments", h.page(hushpay.PermReadPayments, h.showPayments))
	h.mux.HandleFunc("GET /agent/api/calls", h.action(hushpay.PermReadPayments, h.apiCalls))
	h.mux.HandleFunc("POST /agent/api/payments", h.action(hushpay.PermOperatePayments, h.apiCreate))
	h.mux.HandleFunc("GET /agent/api/payments/{id}", h.action(hushpay.PermReadPayments, h.apiGet))
	h.mux.HandleFunc("GET /agent/api/payments/{id}/events", h.action(hushpay.PermReadPayments, h.apiEvents))
	h.mux.HandleFunc("POST /agent/api/payments/{id}/capture", h.action(hushpay.PermOperatePayments, h.apiCapture))
	h.mux.HandleFunc("POST /agent/api/payments/{id}/fields/{field}/reset", h.action(hushpay.PermOperatePayments, h.apiReset))
	h.mux.HandleFunc("POST /agent/api/payments/{id}/submit", h.action(hushpay.PermOperatePayments, h.apiSubmit))
	h.mux.HandleFunc("POST /agent/api/payments/{id}/cancel", h.action(hushpay.PermOperatePayments, h.apiCancel))
	h.mux.HandleFunc("POST /agent/api/payments/{id}/link", h.action(hushpay.PermOperatePayments, h.apiLink))
}

func (h *Handler) showDesk(w http.ResponseWriter, r *http.Request, who *signedIn) {
	if !who.user.Role.Can(hushpay.PermOperatePayments) {
		http.Redirect(w, r, "/agent/payments", http.StatusSeeOther)
		return
	}
	calls, _ := h.liveCalls(r, who)
	h.render(w, http.StatusOK, "agent.html", deskPage{Title: "Agent desktop", CSRF: who.session.CSRF, User: who.user,
		Desk: &desk{Calls: calls, CanOperate: true, CardFields: hushpay.CardFields, ACHFields: hushpay.ACHFields}})
}

func (h *Handler) showPayments(w http.ResponseWriter, r *http.Request, who *signedIn) {
	q := r.URL.Query()
	f := hushpay.PaymentFilter{State: hushpay.PaymentState(q.Get("state")), Reference: strings.TrimSpace(q.Get("reference")),
		CallID: strings.TrimSpace(q.Get("call_id")), Cursor: q.Get("cursor"), Limit: 50}
	list := &paymentList{State: string(f.State), Reference: f.Reference, CallID: f.CallID, States: hushpay.PaymentStates}
	p := deskPage{Title: "Payments", CSRF: who.session.CSRF, User: who.user, List: list}
	if f.State != "" && !f.State.Valid() {
		p.Message = "Pick a state from the list."
		h.render(w, http.StatusBadRequest, "payments.html", p)
		return
	}
	page, err := h.cfg.Payments.List(r.Context(), who.user.Principal(), f)
	if err != nil {
		p.Message = "The payments could not be listed: " + messageOf(err)
		h.render(w, statusOf(err), "payments.html", p)
		return
	}
	for _, pay := range page.Data {
		list.Rows = append(list.Rows, viewOf(pay, nil))
	}
	if page.HasMore {
		list.Next = page.NextCursor
	}
	h.render(w, http.StatusOK, "payments.html", p)
}

func (h *Handler) liveCalls(r *http.Request, who *signedIn) ([]callView, error) {
	page, err := h.cfg.Payments.ListCalls(r.Context(), who.user.Principal(), hushpay.CallFilter{State: hushpay.CallActive, Limit: 50})
	if err != nil {
		return nil, err
	}
	out := []callView{}
	for _, c := range page.Data {
		v := callView{ID: c.ID, StartedAt: c.StartedAt, Secure: c.Secure, PaymentID: c.PaymentID}
		for _, l := range c.Legs {
			if l.Role == hushpay.LegCaller {
				v.Caller = l.From
			}
		}
		out = append(out, v)
	}
	return out, nil
}

func (h *Handler) apiCalls(w http.ResponseWriter, r *http.Request, who *signedIn) {
	calls, err := h.liveCalls(r, who)
	if err != nil {
		h.writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": calls})
}

// createBody is the desktop's start-a-payment form.
type createBody struct {
	CallID    string              `json:"call_id"`
	Amount    string              `json:"amount"` // major units, e.g. "12.50"
	Currency  string              `json:"currency"`
	Reference string              `json:"reference"`
	Method    hushpay.Method      `json:"method"`
	Capture   []hushpay.FieldName `json:"capture"`
}

func (h *Handler) apiCreate(w http.ResponseWriter, r *http.Request, who *signedIn) {
	var b createBody
	if !decodeJSON(w, r, &b) {
		return
	}
	minor, err := minorUnits(b.Amount, b.Currency)
	if err != nil {
		h.writeError(w, err)
		return
	}
	p, err := h.cfg.Payments.Create(r.Context(), who.user.Principal(), payments.CreateRequest{CallID: b.CallID, Amount: minor,
		Currency: b.Currency, Reference: b.Reference, Method: b.Method, Capture: b.Capture})
	h.answer(w, p, err, http.StatusCreated)
}

// minorUnits turns "12.50" into 1250 for a two-decimal currency.
func minorUnits(amount, currency string) (int64, error) {
	bad := hushpay.FieldError("amount", "invalid_amount", "amount must be a positive number like 12.50")
	_, units, ok := payments.NormalizeCurrency(currency)
	if !ok {
		return 0, hushpay.FieldError("currency", "invalid_currency", "currency must be an ISO 4217 code like USD")
	}
	whole, frac, _ := strings.Cut(strings.TrimSpace(amount), ".")
	if whole == "" || len(frac) > units || len(whole) > 12 || !digitsOnly(whole) || !digitsOnly(frac) {
		return 0, bad
	}
	n, _ := strconv.ParseInt(whole, 10, 64)
	for i := 0; i < units; i++ {
		d := int64(0)
		if i < len(frac) {
			d = int64(frac[i] - '0')
		}
		if n > (math.MaxInt64-d)/10 {
			return 0, bad
		}
		n = n*10 + d
	}
	if n <= 0 {
		return 0, bad
	}
	return n, nil
}

func digitsOnly(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (h *Handler) apiGet(w http.ResponseWriter, r *http.Request, who *signedIn) {
	p, err := h.cfg.Payments.Get(r.Context(), who.user.Principal(), r.PathValue("id"))
	h.answer(w, p, err, http.StatusOK)
}

func (h *Handler) apiCapture(w http.ResponseWriter, r *http.Request, who *signedIn) {
	var b struct {
		Field hushpay.FieldName `json:"field"`
	}
	if !decodeJSON(w, r, &b) {
		return
	}
	p, err := h.cfg.Payments.MoveCapture(r.Context(), who.user.Principal(), r.PathValue("id"), b.Field)
	h.answer(w, p, err, http.StatusOK)
}

func (h *Handler) apiReset(w http.ResponseWriter, r *http.Request, who *signedIn) {
	p, err := h.cfg.Payments.ResetField(r.Context(), who.user.Principal(), r.PathValue("id"), hushpay.FieldName(r.PathValue("field")))
	h.answer(w, p, err, http.StatusOK)
}

func (h *Handler) apiSubmit(w http.ResponseWriter, r *http.Request, who *signedIn) {
	p, err := h.cfg.Payments.Submit(r.Context(), who.user.Principal(), r.PathValue("id"))
	h.answer(w, p, err, http.StatusOK)
}

func (h *Handler) apiCancel(w http.ResponseWriter, r *http.Request, who *signedIn) {
	p, err := h.cfg.Payments.Cancel(r.Context(), who.user.Principal(), r.PathValue("id"))
	h.answer(w, p, err, http.StatusOK)
}

func (h *Handler) apiLink(w http.ResponseWriter, r *http.Request, who *signedIn) {
	var b struct {
		Channel string `json:"channel"` // email, sms or chat
		To      string `json:"to"`
	}
	if !decodeJSON(w, r, &b) {
		return
	}
	req := payments.LinkRequest{}
	switch b.Channel {
	case "email":
		req.Email = strings.TrimSpace(b.To)
	case "sms":
		req.Phone = strings.TrimSpace(b.To)
	case "chat":
		req.Chat = true
	default:
		h.writeError(w, hushpay.FieldError("channel", "invalid_channel", "channel must be email, sms or chat"))
		return
	}
	if b.Channel != "chat" && req.Email == "" && req.Phone == "" {
		h.writeError(w, hushpay.FieldError("to", "missing_recipient", "give the caller's email address or phone number"))
		return
	}
	res, err := h.cfg.Payments.CreateLink(r.Context(), who.user.Principal(), r.PathValue("id"), req)
	if err != nil {
		h.writeError(w, err)
		return
	}
	out := map[string]any{"channel": res.Channel, "expires_at": res.ExpiresAt, "sent": res.Channel != "chat"}
	if res.Channel == "chat" {
		out["url"] = res.URL // only for chat: the agent pastes it
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) answer(w http.ResponseWriter, p *hushpay.Payment, err error, status int) {
	if err != nil {
		h.writeError(w, err)
		return
	}
	writeJSON(w, status, viewOf(p, h.hints.get(p.ID)))
}

func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxDeskBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSONError(w, http.StatusBadRequest, "invalid_json", "", "the request is not the expected JSON")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, code, field, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "field": field, "message": msg}})
}

func (h *Handler) writeError(w http.ResponseWriter, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		h.cfg.Logger.Error("desktop request failed", "err", err)
		writeJSONError(w, status, "internal", "", "something went wrong")
		return
	}
	var e *hushpay.Error
	errors.As(err, &e)
	writeJSONError(w, status, e.Code, e.Field, e.Message)
}

// statusOf maps an error to its HTTP status through the API's one mapping.
func statusOf(err error) int { return api.StatusOf(hushpay.KindOf(err)) }

// messageOf is an error's safe message.
func messageOf(err error) string {
	var e *hushpay.Error
	if errors.As(err, &e) && e.Message != "" && e.Kind != hushpay.KindOther {
		return e.Message
	}
	return "something went wrong"
}
