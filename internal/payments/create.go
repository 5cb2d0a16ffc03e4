package payments

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

// Limits on what a create request may carry.
const (
	maxAmount         = 99_999_999_999 // minor units
	maxReferenceLen   = 200
	maxDescriptionLen = 1000
	maxMetadataKeys   = 20
	maxMetadataKeyLen = 40
	maxMetadataValLen = 500
)

// Create validates the request and creates a payment. On a call it starts capturing its first
// field at once; without a call it waits in created for a secure link.
func (s *Service) Create(ctx context.Context, pr hushpay.Principal, req CreateRequest) (*hushpay.Payment, error) {
	if err := require(pr, hushpay.PermOperatePayments); err != nil {
		return nil, err
	}
	p, err := s.newPayment(pr.Tenant, req)
	if err != nil {
		return nil, hushpay.WithOp("payments.create", err)
	}
	var call *hushpay.Call
	if req.CallID != "" {
		if call, err = s.callForPayment(ctx, pr.Tenant, req.CallID); err != nil {
			return nil, err
		}
		p.State = hushpay.PaymentCapturing
		p.CurrentField = p.Capture[0]
	}
	l := s.acquire(p.ID)
	defer s.release(p.ID, l)
	if err := s.cfg.Store.CreatePayment(ctx, p); err != nil {
		return nil, err
	}
	if call != nil {
		if !s.anchoredElsewhere(call) { // else the anchoring node starts it with the first key or command
			s.newSession(l, p)
			s.syncFields(p, l)
		}
		call.PaymentID, call.Secure = p.ID, true
		if err := s.cfg.Store.UpdateCall(ctx, call); err != nil {
			s.log.Warn("could not mark the call secure", "call", call.ID, "payment", p.ID, "err", err)
		} else {
			s.calls.notify(call.Tenant, call.ID)
		}
	}
	s.publish(p, hushpay.EventPaymentCreated)
	s.record(ctx, pr, "payment.created", "payment", p.ID, map[string]string{
		"amount": strconv.FormatInt(p.Amount, 10), "currency": p.Currency, "method": string(p.Method), "call_id": p.CallID})
	return p.Clone(), nil
}

func (s *Service) newPayment(tenant string, req CreateRequest) (*hushpay.Payment, error) {
	if req.Amount <= 0 || req.Amount > maxAmount {
		return nil, hushpay.FieldError("amount", "invalid_amount", fmt.Sprintf("amount must be a positive integer in minor units, at most %d", int64(maxAmount)))
	}
	currency, _, ok := NormalizeCurrency(req.Currency)
	if !ok {
		return nil, hushpay.FieldError("currency", "invalid_currency", "currency must be an ISO 4217 code, e.g. USD")
	}
	if err := checkText("reference", req.Reference, 1, maxReferenceLen); err != nil {
		return nil, err
	}
	if err := checkText("description", req.Description, 0, maxDescriptionLen); err != nil {
		return nil, err
	}
	if err := checkMetadata(req.Metadata); err != nil {
		return nil, err
	}
	method := req.Method
	if method == "" {
		method = hushpay.MethodCard
	}
	if method != hushpay.MethodCard && method != hushpay.MethodACH {
		return nil, hushpay.FieldError("method", "invalid_method", `method must be "card" or "ach"`)
	}
	fields, err := captureFields(method, req.Capture)
	if err != nil {
		return nil, err
	}
	if len(req.AcceptedBrands) > 0 && method != hushpay.MethodCard {
		return nil, hushpay.FieldError("accepted_brands", "invalid_accepted_brands", "accepted_brands applies to card payments only")
	}
	if _, err := parseBrands(req.AcceptedBrands); err != nil {
		return nil, err
	}
	tokenType := req.TokenType
	if tokenType == "" {
		tokenType = "none"
	}
	if tokenType != "none" && tokenType != "reusable" {
		return nil, hushpay.FieldError("token_type", "invalid_token_type", `token_type must be "none" or "reusable"`)
	}
	proc := req.Processor
	if proc == "" {
		proc = s.cfg.Processors.Default()
	}
	if _, err := s.cfg.Processors.Get(proc); err != nil {
		return nil, hushpay.FieldError("processor", "invalid_processor", "processor is not configured")
	}
	now := s.now()
	p := &hushpay.Payment{
		ID: newID("pay_"), Tenant: tenant, State: hushpay.PaymentCreated,
		Amount: req.Amount, Currency: currency, Reference: req.Reference, Description: req.Description,
		Method: method, CallID: req.CallID, AutoSubmit: req.AutoSubmit, Capture: fields,
		AcceptedBrands: slices.Clone(req.AcceptedBrands), TokenType: tokenType, Processor: proc,
		Refunds: []hushpay.Refund{}, Metadata: req.Metadata,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(s.cfg.PaymentTTL),
	}
	if p.Metadata == nil {
		p.Metadata = map[string]string{}
	}
	p.Fields = make(map[hushpay.FieldName]hushpay.Field, len(fields))
	for _, f := range fields {
		p.Fields[f] = hushpay.Field{State: hushpay.FieldEmpty}
	}
	return p, nil
}

// captureFields validates the requested fields against the method, or returns its defaults.
func captureFields(m hushpay.Method, requested []hushpay.FieldName) ([]hushpay.FieldName, error) {
	if len(requested) == 0 {
		return hushpay.DefaultCapture(m), nil
	}
	seen := map[hushpay.FieldName]bool{}
	for _, f := range requested {
		if !m.Allows(f) {
			return nil, hushpay.FieldError("capture", "invalid_capture", fmt.Sprintf("field %q cannot be captured for a %s payment", f, m))
		}
		if seen[f] {
			return nil, hushpay.FieldError("capture", "invalid_capture", fmt.Sprintf("field %q is listed twice", f))
		}
		seen[f] = true
	}
	need := []hushpay.FieldName{hushpay.FieldCardNumber, hushpay.FieldExpiry}
	if m == hushpay.MethodACH {
		need = []hushpay.FieldName{hushpay.FieldRoutingNumber, hushpay.FieldAccountNumber}
	}
	for _, f := range need {
		if !seen[f] {
			return nil, hushpay.FieldError("capture", "invalid_capture", fmt.Sprintf("a %s payment must capture %q", m, f))
		}
	}
	return slices.Clone(requested), nil
}

func parseBrands(names []string) ([]card.Brand, error) {
	if len(names) == 0 {
		return nil, nil
	}
	b, err := card.ParseBrands(names)
	if err != nil {
		return nil, hushpay.FieldError("accepted_brands", "invalid_accepted_brands", err.Error())
	}
	return b, nil
}

// checkText bounds a free-text field and refuses anything that looks like a card number in it, so
// card data cannot enter the database through a reference or a description.
func checkText(field, v string, minLen, maxLen int) error {
	n := utf8.RuneCountInString(v)
	if !utf8.ValidString(v) || n < minLen || n > maxLen {
		if minLen > 0 {
			return hushpay.FieldError(field, "invalid_"+field, fmt.Sprintf("%s must be 1 to %d characters", field, maxLen))
		}
		return hushpay.FieldError(field, "invalid_"+field, fmt.Sprintf("%s must be at most %d characters", field, maxLen))
	}
	if card.ContainsPAN(v) {
		return hushpay.FieldError(field, "card_data_in_"+field, field+" must not contain a card number")
	}
	return nil
}

func checkMetadata(m map[string]string) error {
	if len(m) > maxMetadataKeys {
		return hushpay.FieldError("metadata", "invalid_metadata", fmt.Sprintf("metadata holds at most %d keys", maxMetadataKeys))
	}
	for k, v := range m {
		if k == "" || utf8.RuneCountInString(k) > maxMetadataKeyLen || utf8.RuneCountInString(v) > maxMetadataValLen || !utf8.ValidString(k+v) {
			return hushpay.FieldError("metadata", "invalid_metadata", fmt.Sprintf("metadata keys are 1 to %d characters, values at most %d", maxMetadataKeyLen, maxMetadataValLen))
		}
		if card.ContainsPAN(k) || card.ContainsPAN(v) {
			return hushpay.FieldError("metadata", "card_data_in_metadata", "metadata must not contain a card number")
		}
	}
	return nil
}

// callForPayment returns the live call a new payment will capture on.
func (s *Service) callForPayment(ctx context.Context, tenant, callID string) (*hushpay.Call, error) {
	c, err := s.cfg.Store.GetCall(ctx, tenant, callID)
	if hushpay.IsNotFound(err) {
		return nil, hushpay.FieldError("call_id", "call_not_found", "no such call")
	}
	if err != nil {
		return nil, err
	}
	if c.State == hushpay.CallEnded {
		return nil, &hushpay.Error{Kind: hushpay.KindConflict, Code: "call_ended", Field: "call_id", Message: "the call has ended"}
	}
	if c.PaymentID != "" {
		if other, err := s.cfg.Store.GetPayment(ctx, tenant, c.PaymentID); err == nil && !other.State.Final() {
			return nil, &hushpay.Error{Kind: hushpay.KindConflict, Code: "call_busy", Field: "call_id", Message: "the call already has a payment in progress"}
		}
	}
	return c, nil
}

// Get returns one payment of the principal's tenant.
func (s *Service) Get(ctx context.Context, pr hushpay.Principal, id string) (*hushpay.Payment, error) {
	if err := require(pr, hushpay.PermReadPayments); err != nil {
		return nil, err
	}
	return s.load(ctx, pr.Tenant, id)
}

// List returns a page of the principal's tenant's payments, newest first.
func (s *Service) List(ctx context.Context, pr hushpay.Principal, f hushpay.PaymentFilter) (hushpay.Page[*hushpay.Payment], error) {
	if err := require(pr, hushpay.PermReadPayments); err != nil {
		return hushpay.Page[*hushpay.Payment]{}, err
	}
	if f.State != "" && !f.State.Valid() {
		return hushpay.Page[*hushpay.Payment]{}, hushpay.FieldError("state", "invalid_state", "unknown payment state")
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	if f.Limit > 100 {
		return hushpay.Page[*hushpay.Payment]{}, hushpay.FieldError("limit", "invalid_limit", "limit must be 1 to 100")
	}
	return s.cfg.Store.ListPayments(ctx, pr.Tenant, f)
}

// GetCall returns one call of the principal's tenant.
func (s *Service) GetCall(ctx context.Context, pr hushpay.Principal, id string) (*hushpay.Call, error) {
	if err := require(pr, hushpay.PermReadPayments); err != nil {
		return nil, err
	}
	return s.cfg.Store.GetCall(ctx, pr.Tenant, id)
}

// ListCalls returns a page of the principal's tenant's calls, newest first.
func (s *Service) ListCalls(ctx context.Context, pr hushpay.Principal, f hushpay.CallFilter) (hushpay.Page[*hushpay.Call], error) {
	if err := require(pr, hushpay.PermReadPayments); err != nil {
		return hushpay.Page[*hushpay.Call]{}, err
	}
	switch f.State {
	case "", hushpay.CallRinging, hushpay.CallActive, hushpay.CallEnded:
	default:
		return hushpay.Page[*hushpay.Call]{}, hushpay.FieldError("state", "invalid_state", "unknown call state")
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	if f.Limit > 100 {
		return hushpay.Page[*hushpay.Call]{}, hushpay.FieldError("limit", "invalid_limit", "limit must be 1 to 100")
	}
	return s.cfg.Store.ListCalls(ctx, pr.Tenant, f)
}
