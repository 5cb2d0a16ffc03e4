package api

import (
	"net/http"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/payments"
)

// createBody is the body of POST /v1/payments. The payment service validates what it means.
type createBody struct {
	CallID         string            `json:"call_id"`
	Amount         int64             `json:"amount"`
	Currency       string            `json:"currency"`
	Reference      string            `json:"reference"`
	Description    string            `json:"description"`
	Method         string            `json:"method"`
	Capture        []string          `json:"capture"`
	AcceptedBrands []string          `json:"accepted_brands"`
	TokenType      string            `json:"token_type"`
	AutoSubmit     bool              `json:"auto_submit"`
	Processor      string            `json:"processor"`
	Metadata       map[string]string `json:"metadata"`
}

func (b createBody) request() payments.CreateRequest {
	req := payments.CreateRequest{
		CallID: b.CallID, Amount: b.Amount, Currency: b.Currency, Reference: b.Reference,
		Description: b.Description, Method: hushpay.Method(b.Method), AcceptedBrands: b.AcceptedBrands,
		TokenType: b.TokenType, AutoSubmit: b.AutoSubmit, Processor: b.Processor, Metadata: b.Metadata,
	}
	if b.Capture != nil {
		req.Capture = make([]hushpay.FieldName, len(b.Capture))
		for i, f := range b.Capture {
			req.Capture[i] = hushpay.FieldName(f)
		}
	}
	return req
}

func (s *server) createPayment(w http.ResponseWriter, r *http.Request, p hushpay.Principal) error {
	var body createBody
	if err := decodeBody(r, &body, false); err != nil {
		return err
	}
	pay, err := s.payments.Create(r.Context(), p, body.request())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewPayment(pay))
	return nil
}

func (s *server) getPayment(w http.ResponseWriter, r *http.Request, p hushpay.Principal) error {
	pay, err := s.payments.Get(r.Context(), p, r.PathValue("id"))
	return respondPayment(w, pay, err)
}

func (s *server) listPayments(w http.ResponseWriter, r *http.Request, p hushpay.Principal) error {
	q, err := parseQuery(r, "call_id", "state", "reference")
	if err != nil {
		return err
	}
	f := hushpay.PaymentFilter{CallID: q.get("call_id"), State: hushpay.PaymentState(q.get("state")),
		Reference: q.get("reference"), Limit: q.limit, Cursor: q.cursor}
	if f.State != "" && !f.State.Valid() {
		return hushpay.FieldError("state", "invalid_state", "state is not a payment state")
	}
	page, err := s.payments.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewList(page, viewPayment))
	return nil
}

// captureBody is the body of POST /v1/payments/{id}/capture.
type captureBody struct {
	Field string `json:"field"`
}

func (s *server) moveCapture(w http.ResponseWriter, r *http.Request, p hushpay.Principal) error {
	var body captureBody
	if err := decodeBody(r, &body, false); err != nil {
		return err
	}
	if body.Field == "" {
		return hushpay.FieldError("field", "missing_field", "field is required")
	}
	pay, err := s.payments.MoveCapture(r.Context(), p, r.PathValue("id"), hushpay.FieldName(body.Field))
	return respondPayment(w, pay, err)
}

func (s *server) resetField(w http.ResponseWriter, r *http.Request, p hushpay.Principal) error {
	if err := decodeBody(r, &struct{}{}, true); err != nil {
		return err
	}
	pay, err := s.payments.ResetField(r.Context(), p, r.PathValue("id"), hushpay.FieldName(r.PathValue("field")))
	return respondPayment(w, pay, err)
}

func (s *server) submit(w http.ResponseWriter, r *http.Request, p hushpay.Principal) error {
	if err := decodeBody(r, &struct{}{}, true); err != nil {
		return err
	}
	pay, err := s.payments.Submit(r.Context(), p, r.PathValue("id"))
	return respondPayment(w, pay, err)
}

func (s *server) cancel(w http.ResponseWriter, r *http.Request, p hushpay.Principal) error {
	if err := decodeBody(r, &struct{}{}, true); err != nil {
		return err
	}
	pay, err := s.payments.Cancel(r.Context(), p, r.PathValue("id"))
	return respondPayment(w, pay, err)
}

// refundBody is the body of POST /v1/payments/{id}/refund; no amount refunds all that is left.
type refundBody struct {
	Amount *int64 `json:"amount"`
}

func (s *server) refund(w http.ResponseWriter, r *http.Request, p hushpay.Principal) error {
	var body refundBody
	if err := decodeBody(r, &body, true); err != nil {
		return err
	}
	pay, err := s.payments.Refund(r.Context(), p, r.PathValue("id"), body.Amount)
	return respondPayment(w, pay, err)
}

// linkBody is the body of POST /v1/payments/{id}/link: {} for a URL to paste, or where to send it.
type linkBody struct {
	Email string `json:"email"`
	Phone string `json:"phone"`
	Chat  bool   `json:"chat"`
}

func (s *server) createLink(w http.ResponseWriter, r *http.Request, p hushpay.Principal) error {
	var body linkBody
	if err := decodeBody(r, &body, true); err != nil {
		return err
	}
	req := payments.LinkRequest{Email: body.Email, Phone: body.Phone, Chat: body.Chat}
	link, err := s.payments.CreateLink(r.Context(), p, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, linkView{URL: link.URL, ExpiresAt: link.ExpiresAt.UTC()})
	return nil
}

func respondPayment(w http.ResponseWriter, pay *hushpay.Payment, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPayment(pay))
	return nil
}
