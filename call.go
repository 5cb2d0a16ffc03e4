package hushpay

import "time"

// CallState is where a call is in its life.
type CallState string

// The call states.
const (
	CallRinging CallState = "ringing"
	CallActive  CallState = "active"
	CallEnded   CallState = "ended"
)

// LegRole names one side of a call anchored on hushpay.
type LegRole string

// The two legs of a call.
const (
	LegCaller LegRole = "caller" // towards the carrier
	LegAgent  LegRole = "agent"  // towards the contact center
)

// CallLeg is one SIP dialog of a call.
type CallLeg struct {
	Role      LegRole `json:"role"`
	SIPCallID string  `json:"sip_call_id"`
	From      string  `json:"from"`
	To        string  `json:"to"`
}

// Call is a call anchored on hushpay. Its ID is the value of the X-Hushpay-Call-Id header on the
// onward INVITE.
type Call struct {
	ID        string     `json:"id"`
	Tenant    string     `json:"tenant"`
	State     CallState  `json:"state"`
	Legs      []CallLeg  `json:"legs"`
	Secure    bool       `json:"secure"`
	PaymentID string     `json:"payment_id,omitempty"`
	Node      string     `json:"node,omitempty"` // the hushpay node that anchors the media
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	Version   int64      `json:"version"`
}

// CallFilter selects calls in a list; zero fields do not filter.
type CallFilter struct {
	State     CallState
	SIPCallID string // matches the Call-ID of either leg
	Limit     int
	Cursor    string
}
