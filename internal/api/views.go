package api

import (
	"time"

	"github.com/hushpay/hushpay"
)

// paymentView is the Payment object of the API: the SPEC's fields and nothing else (no tenant,
// token id, processor or version). call_id and current_field are null when there is none.
type paymentView struct {
	ID             string                          `json:"id"`
	State          hushpay.PaymentState            `json:"state"`
	Amount         int64                           `json:"amount"`
	Currency       string                          `json:"currency"`
	Reference      string                          `json:"reference"`
	Description    string                          `json:"description"`
	Method         hushpay.Method                  `json:"method"`
	CallID         *string                         `json:"call_id"`
	AutoSubmit     bool                            `json:"auto_submit"`
	Capture        []hushpay.FieldName             `json:"capture"`
	CurrentField   *hushpay.FieldName              `json:"current_field"`
	Fields         map[hushpay.FieldName]fieldView `json:"fields"`
	AcceptedBrands []string                        `json:"accepted_brands,omitempty"`
	TokenType      string                          `json:"token_type,omitempty"`
	Outcome        *outcomeView                    `json:"outcome,omitempty"`
	AmountRefunded int64                           `json:"amount_refunded"`
	Refunds        []refundView                    `json:"refunds"`
	CreatedAt      time.Time                       `json:"created_at"`
	UpdatedAt      time.Time                       `json:"updated_at"`
	ExpiresAt      time.Time                       `json:"expires_at"`
	Metadata       map[string]string               `json:"metadata"`
}

// fieldView is a field's masked state: at most the last four digits, never the attempts counter.
type fieldView struct {
	State  hushpay.FieldState     `json:"state"`
	Length int                    `json:"length"`
	Brand  string                 `json:"brand,omitempty"`
	Last4  string                 `json:"last4,omitempty"`
	Error  hushpay.FieldErrorCode `json:"error,omitempty"`
}

type outcomeView struct {
	Code               string `json:"code"`
	Message            string `json:"message"`
	ProcessorReference string `json:"processor_reference,omitempty"`
}

type refundView struct {
	ID        string    `json:"id"`
	Amount    int64     `json:"amount"`
	CreatedAt time.Time `json:"created_at"`
}

func viewPayment(p *hushpay.Payment) paymentView {
	v := paymentView{
		ID: p.ID, State: p.State, Amount: p.Amount, Currency: p.Currency, Reference: p.Reference,
		Description: p.Description, Method: p.Method, CallID: optional(p.CallID), AutoSubmit: p.AutoSubmit,
		Capture: p.Capture, Fields: make(map[hushpay.FieldName]fieldView, len(p.Fields)),
		AcceptedBrands: p.AcceptedBrands, TokenType: p.TokenType, AmountRefunded: p.AmountRefunded,
		Refunds: make([]refundView, 0, len(p.Refunds)), Metadata: p.Metadata,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), ExpiresAt: p.ExpiresAt.UTC(),
	}
	if p.CurrentField != "" {
		f := p.CurrentField
		v.CurrentField = &f
	}
	if v.Capture == nil {
		v.Capture = []hushpay.FieldName{}
	}
	if v.Metadata == nil {
		v.Metadata = map[string]string{}
	}
	for name, f := range p.Fields {
		v.Fields[name] = fieldView{State: f.State, Length: f.Length, Brand: f.Brand, Last4: f.Last4, Error: f.Error}
	}
	for _, r := range p.Refunds {
		v.Refunds = append(v.Refunds, refundView{ID: r.ID, Amount: r.Amount, CreatedAt: r.CreatedAt.UTC()})
	}
	if p.Outcome != nil {
		v.Outcome = &outcomeView{Code: p.Outcome.Code, Message: p.Outcome.Message,
			ProcessorReference: p.Outcome.ProcessorReference}
	}
	return v
}

// callView is the Call object of the API (no tenant, node or version).
type callView struct {
	ID        string            `json:"id"`
	State     hushpay.CallState `json:"state"`
	Legs      []legView         `json:"legs"`
	Secure    bool              `json:"secure"`
	PaymentID string            `json:"payment_id,omitempty"`
	StartedAt time.Time         `json:"started_at"`
	EndedAt   *time.Time        `json:"ended_at,omitempty"`
}

type legView struct {
	Role      hushpay.LegRole `json:"role"`
	SIPCallID string          `json:"sip_call_id"`
	From      string          `json:"from"`
	To        string          `json:"to"`
}

func viewCall(c *hushpay.Call) callView {
	v := callView{ID: c.ID, State: c.State, Legs: make([]legView, 0, len(c.Legs)), Secure: c.Secure,
		PaymentID: c.PaymentID, StartedAt: c.StartedAt.UTC()}
	for _, l := range c.Legs {
		v.Legs = append(v.Legs, legView{Role: l.Role, SIPCallID: l.SIPCallID, From: l.From, To: l.To})
	}
	if c.EndedAt != nil {
		t := c.EndedAt.UTC()
		v.EndedAt = &t
	}
	return v
}

// listView is one page of a list.
type listView[T any] struct {
	Data       []T    `json:"data"`
	HasMore    bool   `json:"has_more"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func viewList[S, T any](page hushpay.Page[S], view func(S) T) listView[T] {
	l := listView[T]{Data: make([]T, 0, len(page.Data)), HasMore: page.HasMore, NextCursor: page.NextCursor}
	for _, item := range page.Data {
		l.Data = append(l.Data, view(item))
	}
	return l
}

// linkView is a secure link for the agent to give the caller.
type linkView struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// eventView is the data of one Server-Sent Event.
type eventView struct {
	ID        string            `json:"id"`
	Type      hushpay.EventType `json:"type"`
	CreatedAt time.Time         `json:"created_at"`
	Payment   *paymentView      `json:"payment,omitempty"`
}

func viewEvent(e hushpay.Event) eventView {
	v := eventView{ID: e.ID, Type: e.Type, CreatedAt: e.Time.UTC()}
	if e.Payment != nil {
		p := viewPayment(e.Payment)
		v.Payment = &p
	}
	return v
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
