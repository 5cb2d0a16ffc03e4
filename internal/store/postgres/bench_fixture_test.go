package postgres

import (
	"crypto/rand"
	"time"

	"github.com/hushpay/hushpay"
)

// benchPayment is a payment shaped like the service's: fields, metadata, fresh random ID.
func benchPayment() *hushpay.Payment {
	now := time.Now()
	return &hushpay.Payment{
		ID: "pay_" + rand.Text(), Tenant: "acme", State: hushpay.PaymentCapturing, Amount: 1999, Currency: "EUR",
		Reference: "order-1", Method: hushpay.MethodCard, CallID: "call_1",
		Capture:      hushpay.DefaultCapture(hushpay.MethodCard),
		CurrentField: hushpay.FieldCardNumber,
		Fields: map[hushpay.FieldName]hushpay.Field{
			hushpay.FieldCardNumber:   {State: hushpay.FieldComplete, Length: 16, Brand: "visa", Last4: "4242"},
			hushpay.FieldExpiry:       {State: hushpay.FieldComplete, Length: 4},
			hushpay.FieldSecurityCode: {State: hushpay.FieldComplete, Length: 3},
		},
		Processor: "sandbox", Metadata: map[string]string{"crm": "case-77"},
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(15 * time.Minute), Version: 1,
	}
}
