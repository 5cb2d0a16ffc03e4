package payments

import (
	"context"
	"errors"
	"time"

	"github.com/hushpay/hushpay"
)

var errNotImplemented = errors.New("not implemented")

// CreateRequest is what an agent (or an integration) asks for when creating a payment.
type CreateRequest struct {
	CallID         string
	Amount         int64 // minor units
	Currency       string
	Reference      string
	Description    string
	Method         hushpay.Method      // "" means card
	Capture        []hushpay.FieldName // nil means the method's default fields
	AcceptedBrands []string
	TokenType      string // "none" (default) or "reusable"
	AutoSubmit     bool
	Processor      string // "" means the configured default
	Metadata       map[string]string
}

// LinkRequest asks for a secure link; at most one of Email and Phone, or Chat for a URL to paste.
type LinkRequest struct {
	Email string
	Phone string
	Chat  bool
}

// LinkResult is the URL to give the caller and when it stops working.
type LinkResult struct {
	URL       string
	ExpiresAt time.Time
	Channel   string
}

// LinkPage is what the hosted payment page shows for a valid link: never card data.
type LinkPage struct {
	Payment  *hushpay.Payment
	Merchant string
}

// Create creates a payment; on a call it starts capturing its first field at once.
func (s *Service) Create(ctx context.Context, p hushpay.Principal, req CreateRequest) (*hushpay.Payment, error) {
	return nil, errNotImplemented
}

// Get returns one payment of the principal's tenant.
func (s *Service) Get(ctx context.Context, p hushpay.Principal, id string) (*hushpay.Payment, error) {
	return nil, errNotImplemented
}

// List returns a page of the principal's tenant's payments, newest first.
func (s *Service) List(ctx context.Context, p hushpay.Principal, f hushpay.PaymentFilter) (hushpay.Page[*hushpay.Payment], error) {
	return hushpay.Page[*hushpay.Payment]{}, errNotImplemented
}

// MoveCapture moves keypad capture to a field.
func (s *Service) MoveCapture(ctx context.Context, p hushpay.Principal, id string, field hushpay.FieldName) (*hushpay.Payment, error) {
	return nil, errNotImplemented
}

// ResetField clears a field and moves capture to it.
func (s *Service) ResetField(ctx context.Context, p hushpay.Principal, id string, field hushpay.FieldName) (*hushpay.Payment, error) {
	return nil, errNotImplemented
}

// Submit tokenizes and authorizes a ready payment and returns it in its final state.
func (s *Service) Submit(ctx context.Context, p hushpay.Principal, id string) (*hushpay.Payment, error) {
	return nil, errNotImplemented
}

// Cancel cancels a payment that has not reached processing.
func (s *Service) Cancel(ctx context.Context, p hushpay.Principal, id string) (*hushpay.Payment, error) {
	return nil, errNotImplemented
}

// Refund refunds a succeeded payment, all that is left of it when amount is nil.
func (s *Service) Refund(ctx context.Context, p hushpay.Principal, id string, amount *int64) (*hushpay.Payment, error) {
	return nil, errNotImplemented
}

// CreateLink issues a single-use secure link for the payment (and sends it when asked).
func (s *Service) CreateLink(ctx context.Context, p hushpay.Principal, id string, req LinkRequest) (*LinkResult, error) {
	return nil, errNotImplemented
}

// Subscribe streams the payment's masked events until ctx ends; the first event is the current
// state (type payment.updated).
func (s *Service) Subscribe(ctx context.Context, p hushpay.Principal, id string) (<-chan hushpay.Event, error) {
	return nil, errNotImplemented
}

// GetCall returns one call of the principal's tenant.
func (s *Service) GetCall(ctx context.Context, p hushpay.Principal, id string) (*hushpay.Call, error) {
	return nil, errNotImplemented
}

// ListCalls returns a page of the principal's tenant's calls, newest first.
func (s *Service) ListCalls(ctx context.Context, p hushpay.Principal, f hushpay.CallFilter) (hushpay.Page[*hushpay.Call], error) {
	return hushpay.Page[*hushpay.Call]{}, errNotImplemented
}

// OpenLink returns what the hosted page shows for a link token: KindNotFound for an unknown token,
// KindGone for a used, cancelled or expired one.
func (s *Service) OpenLink(ctx context.Context, token string) (*LinkPage, error) {
	return nil, errNotImplemented
}

// SubmitLink captures the hosted form's whole fields through the capture engine and, once every
// field is valid, submits the payment. A validation error leaves the link usable (up to the attempt
// limit per field) and returns the payment with the invalid fields.
func (s *Service) SubmitLink(ctx context.Context, token string, form map[hushpay.FieldName]string) (*hushpay.Payment, error) {
	return nil, errNotImplemented
}

// Service is the payment service.
type Service struct{}
