package payments

import (
	"time"

	"github.com/hushpay/hushpay"
)

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
