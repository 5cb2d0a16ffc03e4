package hushpay

import "time"

// EventType names a change worth telling the agent about.
type EventType string

// The payment event types carried by SSE and webhooks.
const (
	EventPaymentCreated   EventType = "payment.created"
	EventPaymentUpdated   EventType = "payment.updated" // state, current field or a field's masked state changed
	EventPaymentSucceeded EventType = "payment.succeeded"
	EventPaymentDeclined  EventType = "payment.declined"
	EventPaymentFailed    EventType = "payment.failed"
	EventPaymentCancelled EventType = "payment.cancelled"
	EventPaymentExpired   EventType = "payment.expired"
	EventPaymentRefunded  EventType = "payment.refunded"
	EventLinkCreated      EventType = "link.created"
	EventLinkSent         EventType = "link.sent"           // delivered to the email or SMS provider
	EventLinkFailed       EventType = "link.failed"         // delivery failed after retries; the agent may try again or use chat
	EventKeyPress         EventType = "payment.key_pressed" // a key was pressed (never which)
)

// Event is one masked progress event about a payment. Payment is a snapshot (never card data).
type Event struct {
	ID      string    `json:"id"`
	Type    EventType `json:"type"`
	Time    time.Time `json:"created_at"`
	Tenant  string    `json:"-"`
	Payment *Payment  `json:"payment"`
}
