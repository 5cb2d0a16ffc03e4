package payments

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/audit"
	"github.com/hushpay/hushpay/internal/payments/paymentstest"
	"github.com/hushpay/hushpay/internal/store/sqlite"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	svc   *Service
	store *sqlite.Store
	clock *fakeClock
	logs  *paymentstest.LogBuffer
	dir   string
}

var (
	agent      = hushpay.Principal{Tenant: "acme", Role: hushpay.RoleAgent, Actor: "apikey:test-agent"}
	supervisor = hushpay.Principal{Tenant: "acme", Role: hushpay.RoleSupervisor, Actor: "apikey:test-sup"}
	auditor    = hushpay.Principal{Tenant: "acme", Role: hushpay.RoleAuditor, Actor: "apikey:test-aud"}
	otherAgent = hushpay.Principal{Tenant: "globex", Role: hushpay.RoleAgent, Actor: "apikey:other"}
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	pf := paymentstest.New(t, paymentstest.WithClock(clock))
	svc, err := New(Config{Store: pf.Store, Vault: pf.Vault, Processors: pf.Processors, Audit: pf.Audit, Clock: clock,
		Logger: pf.Logger, PublicURL: "https://pay.example.test/", Merchant: "Acme Health"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return &fixture{svc: svc, store: pf.Store, clock: clock, logs: pf.Logs, dir: pf.Dir}
}

func (f *fixture) call(t *testing.T, tenant string) *hushpay.Call {
	t.Helper()
	c := &hushpay.Call{ID: newID("call_"), Tenant: tenant, State: hushpay.CallActive, StartedAt: f.clock.Now(),
		Legs: []hushpay.CallLeg{{Role: hushpay.LegCaller, SIPCallID: "a-" + newID(""), From: "sip:+14155550100@carrier", To: "sip:support@acme"}}}
	if err := f.store.CreateCall(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) keys(t *testing.T, p *hushpay.Payment, keys string) *hushpay.Payment {
	t.Helper()
	for i := 0; i < len(keys); i++ {
		if _, err := f.svc.Key(context.Background(), p.Tenant, p.ID, keys[i]); err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
	}
	got, err := f.svc.Get(context.Background(), agent, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func usd(amount int64) CreateRequest {
	return CreateRequest{Amount: amount, Currency: "usd", Reference: "INV-1001"}
}

func TestCreateValidatesEveryField(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		req   CreateRequest
		field string
	}{
		{"zero amount", CreateRequest{Amount: 0, Currency: "USD", Reference: "r"}, "amount"},
		{"negative amount", CreateRequest{Amount: -5, Currency: "USD", Reference: "r"}, "amount"},
		{"unknown currency", CreateRequest{Amount: 5, Currency: "XYZ", Reference: "r"}, "currency"},
		{"missing reference", CreateRequest{Amount: 5, Currency: "USD"}, "reference"},
		{"card number in the reference", CreateRequest{Amount: 5, Currency: "USD", Reference: "card 4242 4242 4242 4242"}, "reference"},
		{"card number in metadata", CreateRequest{Amount: 5, Currency: "USD", Reference: "r", Metadata: map[string]string{"note": "5555555555554444"}}, "metadata"},
		{"unknown method", CreateRequest{Amount: 5, Currency: "USD", Reference: "r", Method: "cash"}, "method"},
		{"ACH field on a card payment", CreateRequest{Amount: 5, Currency: "USD", Reference: "r", Capture: []hushpay.FieldName{"card_number", "expiry", "routing_number"}}, "capture"},
		{"card payment without a card number", CreateRequest{Amount: 5, Currency: "USD", Reference: "r", Capture: []hushpay.FieldName{"expiry"}}, "capture"},
		{"unknown brand", CreateRequest{Amount: 5, Currency: "USD", Reference: "r", AcceptedBrands: []string{"visa", "bogus"}}, "accepted_brands"},
		{"unknown token type", CreateRequest{Amount: 5, Currency: "USD", Reference: "r", TokenType: "forever"}, "token_type"},
		{"unknown processor", CreateRequest{Amount: 5, Currency: "USD", Reference: "r", Processor: "paypal"}, "processor"},
		{"unknown call", CreateRequest{Amount: 5, Currency: "USD", Reference: "r", CallID: "call_nope"}, "call_id"},
	} {
		t.Run(tc.name+" is refused naming "+tc.field, func(t *testing.T) {
			_, err := f.svc.Create(ctx, agent, tc.req)
			var e *hushpay.Error
			if !asError(err, &e) || e.Kind != hushpay.KindInvalid || e.Field != tc.field {
				t.Fatalf("err = %#v, want an invalid-input error on %s", err, tc.field)
			}
			if strings.Contains(e.Message, "4242") || strings.Contains(e.Message, "5555") {
				t.Fatalf("error echoes input: %s", e.Message)
			}
		})
	}
	page, err := f.svc.List(ctx, agent, hushpay.PaymentFilter{})
	if err != nil || len(page.Data) != 0 {
		t.Fatalf("refused requests stored something: %v %d", err, len(page.Data))
	}
}

func TestCreateDefaults(t *testing.T) {
	f := newFixture(t)
	p, err := f.svc.Create(context.Background(), agent, usd(1250))
	if err != nil {
		t.Fatal(err)
	}
	if p.Currency != "USD" || p.Method != hushpay.MethodCard || p.State != hushpay.PaymentCreated ||
		len(p.Capture) != 3 || p.Capture[0] != hushpay.FieldCardNumber || p.Processor != "sandbox" ||
		!p.ExpiresAt.Equal(f.clock.Now().Add(15*time.Minute)) || p.Fields[hushpay.FieldExpiry].State != hushpay.FieldEmpty {
		t.Fatalf("got %+v", p)
	}
	ach, err := f.svc.Create(context.Background(), agent, CreateRequest{Amount: 5, Currency: "USD", Reference: "r", Method: hushpay.MethodACH})
	if err != nil || len(ach.Capture) != 3 || ach.Capture[0] != hushpay.FieldRoutingNumber {
		t.Fatalf("ACH defaults: %v %+v", err, ach)
	}
}

func TestKeypadPaymentOnACall(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.call(t, "acme")
	req := usd(4200)
	req.CallID = c.ID
	p, err := f.svc.Create(ctx, agent, req)
	if err != nil {
		t.Fatal(err)
	}
	if p.State != hushpay.PaymentCapturing || p.CurrentField != hushpay.FieldCardNumber {
		t.Fatalf("a payment on a call starts capturing at once: %s %s", p.State, p.CurrentField)
	}
	call, _ := f.store.GetCall(ctx, "acme", c.ID)
	if !call.Secure || call.PaymentID != p.ID {
		t.Fatalf("the call is not in secure mode: %+v", call)
	}
	p = f.keys(t, p, "42424242")
	if fd := p.Fields[hushpay.FieldCardNumber]; fd.State != hushpay.FieldPartial || fd.Length != 8 || fd.Brand != "visa" || fd.Last4 != "" {
		t.Fatalf("partial card number: %+v", fd)
	}
	p = f.keys(t, p, "42424242#")
	if fd := p.Fields[hushpay.FieldCardNumber]; fd.State != hushpay.FieldComplete || fd.Last4 != "4242" || p.CurrentField != hushpay.FieldExpiry {
		t.Fatalf("complete card number: %+v, current %s", fd, p.CurrentField)
	}
	p = f.keys(t, p, "1230"+"123")
	if p.State != hushpay.PaymentReady {
		t.Fatalf("every field valid: state %s, fields %+v", p.State, p.Fields)
	}
	p, err = f.svc.Submit(ctx, agent, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.State != hushpay.PaymentSucceeded || p.Outcome.Code != "approved" || p.Outcome.ProcessorReference == "" {
		t.Fatalf("submit: %+v %+v", p, p.Outcome)
	}
	call, _ = f.store.GetCall(ctx, "acme", c.ID)
	if call.Secure {
		t.Fatal("the call stays in secure mode after the payment ended")
	}
	if p.TokenID != "" {
		t.Fatalf("a single-use payment stored its card as token %s", p.TokenID)
	}
	if f.svc.holdsSession(p.ID) {
		t.Fatal("the capture session is still held after authorization")
	}
}

// holdsSession reports whether the service still holds a capture session for the payment. The
// live entry itself may outlive the session for a moment while another goroutine (an event
// fan-out, a timer) holds a reference to it; what must be gone is the session with the digits.
func (s *Service) holdsSession(id string) bool {
	s.mu.Lock()
	l := s.payments[id]
	s.mu.Unlock()
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.session != nil
}

func TestAutoSubmitAndReusableToken(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.call(t, "acme")
	req := usd(990)
	req.CallID, req.AutoSubmit, req.TokenType = c.ID, true, "reusable"
	p, err := f.svc.Create(ctx, agent, req)
	if err != nil {
		t.Fatal(err)
	}
	f.keys(t, p, "5555555555554444"+"0129"+"737") // Mastercard moves on at 16 digits by itself
	f.svc.wg.Wait()
	p, _ = f.svc.Get(ctx, agent, p.ID)
	if p.State != hushpay.PaymentSucceeded {
		t.Fatalf("auto-submit: state %s", p.State)
	}
	tok, err := f.store.GetToken(ctx, "acme", p.TokenID)
	if err != nil || !tok.Reusable || tok.Last4 != "4444" || bytes.Contains(tok.Ciphertext, []byte("5555555555554444")) {
		t.Fatalf("reusable token: %v %+v", err, tok)
	}
}

func TestDeclinesAndFailures(t *testing.T) {
	for _, tc := range []struct{ number, state, code string }{
		{"4000000000000002", "declined", "card_declined"},
		{"4000000000009995", "declined", "insufficient_funds"},
		{"4000000000000069", "declined", "expired_card"},
		{"4000000000000127", "declined", "incorrect_cvc"},
		{"4000000000000119", "failed", "processing_error"},
	} {
		t.Run(tc.number[:6]+"… ends "+tc.code, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			c := f.call(t, "acme")
			req := usd(100)
			req.CallID = c.ID
			p, _ := f.svc.Create(ctx, agent, req)
			p = f.keys(t, p, tc.number+"#0130123")
			p, err := f.svc.Submit(ctx, agent, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if string(p.State) != tc.state || p.Outcome.Code != tc.code {
				t.Fatalf("got %s/%s", p.State, p.Outcome.Code)
			}
			assertNoCard(t, "logs", f.logs.String(), tc.number)
		})
	}
}

func TestInvalidCardNeverReachesTheProcessorAndAttemptsRunOut(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.call(t, "acme")
	req := usd(100)
	req.CallID = c.ID
	p, _ := f.svc.Create(ctx, agent, req)
	p = f.keys(t, p, "4242424242424241#")
	if fd := p.Fields[hushpay.FieldCardNumber]; fd.State != hushpay.FieldInvalid || fd.Error != hushpay.ErrLuhn {
		t.Fatalf("bad check digit: %+v", fd)
	}
	if _, err := f.svc.Submit(ctx, agent, p.ID); !hushpay.IsConflict(err) {
		t.Fatalf("submit of an invalid payment: %v", err)
	}
	p = f.keys(t, p, "4242424242424241#4242424242424241#")
	if p.State != hushpay.PaymentFailed || p.Outcome.Code != "too_many_attempts" {
		t.Fatalf("three bad entries: %s %+v", p.State, p.Outcome)
	}
}

func TestLinkFlow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, _ := f.svc.Create(ctx, agent, usd(1999))
	link, err := f.svc.CreateLink(ctx, agent, p.ID, LinkRequest{})
	if err != nil {
		t.Fatal(err)
	}
	token, ok := strings.CutPrefix(link.URL, "https://pay.example.test/pay/")
	if !ok || len(token) < 43 || link.Channel != "chat" || !link.ExpiresAt.Equal(f.clock.Now().Add(15*time.Minute)) {
		t.Fatalf("link %+v", link)
	}
	page, err := f.svc.OpenLink(ctx, token)
	if err != nil || page.Payment.ID != p.ID || page.Merchant != "Acme Health" {
		t.Fatalf("open: %v %+v", err, page)
	}
	if _, err := f.svc.OpenLink(ctx, token[:len(token)-1]+"x"); !hushpay.IsNotFound(err) {
		t.Fatalf("unknown token: %v", err)
	}
	form := map[hushpay.FieldName]string{"card_number": "4242 4242 4242 4241", "expiry": "12/30", "security_code": "123"}
	got, err := f.svc.SubmitLink(ctx, token, form)
	if err != nil || got.State != hushpay.PaymentCapturing || got.Fields["card_number"].Error != hushpay.ErrLuhn {
		t.Fatalf("invalid form: %v %+v", err, got)
	}
	form["card_number"] = "4242-4242-4242-4242"
	got, err = f.svc.SubmitLink(ctx, token, form)
	if err != nil || got.State != hushpay.PaymentSucceeded {
		t.Fatalf("valid form: %v %+v", err, got)
	}
	if _, err := f.svc.SubmitLink(ctx, token, form); hushpay.KindOf(err) != hushpay.KindGone {
		t.Fatalf("replayed link: %v", err)
	}
	if _, err := f.svc.OpenLink(ctx, token); hushpay.KindOf(err) != hushpay.KindGone {
		t.Fatalf("reopened link: %v", err)
	}
}

func TestLinkExpiresWithItsPayment(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, _ := f.svc.Create(ctx, agent, usd(100))
	f.clock.Advance(10 * time.Minute)
	link, err := f.svc.CreateLink(ctx, agent, p.ID, LinkRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if !link.ExpiresAt.Equal(p.ExpiresAt) {
		t.Fatalf("link expires %s, after its payment %s", link.ExpiresAt, p.ExpiresAt)
	}
	f.clock.Advance(6 * time.Minute)
	n, err := f.svc.ExpireOverdue(ctx)
	if err != nil || n != 1 {
		t.Fatalf("expire: %d %v", n, err)
	}
	got, _ := f.svc.Get(ctx, agent, p.ID)
	if got.State != hushpay.PaymentExpired || got.Outcome.Code != "expired" {
		t.Fatalf("%s %+v", got.State, got.Outcome)
	}
	token := strings.TrimPrefix(link.URL, "https://pay.example.test/pay/")
	if _, err := f.svc.OpenLink(ctx, token); hushpay.KindOf(err) != hushpay.KindGone {
		t.Fatalf("link of an expired payment: %v", err)
	}
	if _, err := f.svc.CreateLink(ctx, agent, p.ID, LinkRequest{Email: "a@example.com"}); err == nil {
		t.Fatal("a link for an expired payment")
	}
}

func TestCancelRefundRolesAndTenants(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, _ := f.svc.Create(ctx, agent, usd(100))
	if _, err := f.svc.Get(ctx, otherAgent, p.ID); !hushpay.IsNotFound(err) {
		t.Fatalf("another tenant reads the payment: %v", err)
	}
	if _, err := f.svc.Cancel(ctx, otherAgent, p.ID); !hushpay.IsNotFound(err) {
		t.Fatalf("another tenant cancels the payment: %v", err)
	}
	if _, err := f.svc.Cancel(ctx, auditor, p.ID); hushpay.KindOf(err) != hushpay.KindForbidden {
		t.Fatalf("an auditor cancels: %v", err)
	}
	got, err := f.svc.Cancel(ctx, agent, p.ID)
	if err != nil || got.State != hushpay.PaymentCancelled || got.Outcome.Code != "agent_cancelled" {
		t.Fatalf("cancel: %v %+v", err, got)
	}
	if _, err := f.svc.Cancel(ctx, agent, p.ID); !hushpay.IsConflict(err) {
		t.Fatalf("cancel twice: %v", err)
	}

	c := f.call(t, "acme")
	req := usd(1000)
	req.CallID = c.ID
	p, _ = f.svc.Create(ctx, agent, req)
	f.keys(t, p, "378282246310005"+"0130"+"1234")
	if _, err := f.svc.Submit(ctx, agent, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Refund(ctx, agent, p.ID, nil); hushpay.KindOf(err) != hushpay.KindForbidden {
		t.Fatalf("an agent refunds: %v", err)
	}
	part := int64(400)
	got, err = f.svc.Refund(ctx, supervisor, p.ID, &part)
	if err != nil || got.AmountRefunded != 400 || got.State != hushpay.PaymentSucceeded || len(got.Refunds) != 1 {
		t.Fatalf("partial refund: %v %+v", err, got)
	}
	tooMuch := int64(601)
	if _, err := f.svc.Refund(ctx, supervisor, p.ID, &tooMuch); hushpay.KindOf(err) != hushpay.KindInvalid {
		t.Fatalf("over-refund: %v", err)
	}
	got, err = f.svc.Refund(ctx, supervisor, p.ID, nil)
	if err != nil || got.AmountRefunded != 1000 {
		t.Fatalf("refund the rest: %v %+v", err, got)
	}
}

func TestCallEndedCancelsACapturingPayment(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.call(t, "acme")
	req := usd(100)
	req.CallID = c.ID
	p, _ := f.svc.Create(ctx, agent, req)
	f.keys(t, p, "4242")
	if err := f.svc.CallEnded(ctx, "acme", p.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.Get(ctx, agent, p.ID)
	if got.State != hushpay.PaymentCancelled || got.Outcome.Code != "call_ended" {
		t.Fatalf("%s %+v", got.State, got.Outcome)
	}
	if _, err := f.svc.Create(ctx, agent, req); err != nil {
		t.Fatalf("a new payment on the call after the first ended: %v", err)
	}
	if _, err := f.svc.Create(ctx, agent, req); !hushpay.IsConflict(err) {
		t.Fatalf("a second concurrent payment on one call: %v", err)
	}
}

func TestEventsCarryMaskedProgress(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := f.call(t, "acme")
	req := usd(100)
	req.CallID = c.ID
	p, _ := f.svc.Create(ctx, agent, req)
	events, err := f.svc.Subscribe(ctx, auditor, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	first := <-events
	if first.Payment.State != hushpay.PaymentCapturing {
		t.Fatalf("first event: %+v", first)
	}
	f.keys(t, p, "4242424242424242#12301")
	var all bytes.Buffer
	var last hushpay.Event
	timeout := time.After(10 * time.Second)
	for last.Payment == nil || last.Payment.Fields[hushpay.FieldSecurityCode].Length == 0 {
		select {
		case last = <-events:
		case <-timeout:
			t.Fatalf("no event shows the first security-code digit; last %+v", last.Payment)
		}
		b, _ := json.Marshal(last)
		all.Write(b)
	}
	if fd := last.Payment.Fields[hushpay.FieldSecurityCode]; fd.Length != 1 || last.Payment.CurrentField != hushpay.FieldSecurityCode {
		t.Fatalf("last event: %+v", last.Payment)
	}
	assertNoCard(t, "events", all.String(), "4242424242424242")
	if _, err := f.svc.Subscribe(ctx, otherAgent, p.ID); !hushpay.IsNotFound(err) {
		t.Fatalf("another tenant subscribes: %v", err)
	}
}

func TestEraseByReference(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := hushpay.Principal{Tenant: "acme", Role: hushpay.RoleAdmin, Actor: "apikey:admin"}
	req := usd(100)
	req.Reference, req.Description, req.Metadata = "PATIENT-77", "co-pay for Jane Doe", map[string]string{"mrn": "77"}
	p, _ := f.svc.Create(ctx, agent, req)
	if _, err := f.svc.Erase(ctx, admin, "PATIENT-77"); !hushpay.IsConflict(err) {
		t.Fatalf("erasing a payment in progress: %v", err)
	}
	f.svc.Cancel(ctx, agent, p.ID)
	if _, err := f.svc.Erase(ctx, agent, "PATIENT-77"); hushpay.KindOf(err) != hushpay.KindForbidden {
		t.Fatalf("an agent erases: %v", err)
	}
	n, err := f.svc.Erase(ctx, admin, "PATIENT-77")
	if err != nil || n != 1 {
		t.Fatalf("erase: %d %v", n, err)
	}
	got, _ := f.svc.Get(ctx, agent, p.ID)
	if got.Reference != erasedText || got.Description != "" || len(got.Metadata) != 0 || got.ErasedAt == nil {
		t.Fatalf("erased payment keeps personal data: %+v", got)
	}
	rep, err := audit.Verify(ctx, f.store)
	if err != nil || !rep.OK() {
		t.Fatalf("audit chain after erasure: %v %v", err, rep)
	}
}

func assertNoCard(t *testing.T, sink, text, number string) {
	t.Helper()
	compact := strings.NewReplacer(" ", "", "-", "").Replace(text)
	if strings.Contains(compact, number) {
		t.Errorf("%s hold the card number", sink)
	}
}

func asError(err error, target **hushpay.Error) bool {
	e, ok := err.(*hushpay.Error)
	if ok {
		*target = e
	}
	return ok
}

type fakeSender struct{ err error }

func (f fakeSender) Send(context.Context, string, LinkMessage) error { return f.err }

func TestLinkDeliveryShowsInTheEvents(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want hushpay.EventType
	}{
		{"a delivered link", nil, hushpay.EventLinkSent},
		{"a failed delivery", errors.New("smtp: 451 try later"), hushpay.EventLinkFailed},
	} {
		t.Run(tc.name+" ends with "+string(tc.want), func(t *testing.T) {
			f := newFixture(t)
			f.svc.cfg.Senders = map[string]LinkSender{"email": fakeSender{tc.err}}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p, _ := f.svc.Create(ctx, agent, usd(100))
			events, err := f.svc.Subscribe(ctx, agent, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			<-events // the snapshot
			_, err = f.svc.CreateLink(ctx, agent, p.ID, LinkRequest{Email: "caller@example.com"})
			if (err != nil) != (tc.err != nil) {
				t.Fatalf("CreateLink: %v", err)
			}
			var got []hushpay.EventType
			timeout := time.After(5 * time.Second)
			for len(got) == 0 || got[len(got)-1] != tc.want {
				select {
				case e := <-events:
					got = append(got, e.Type)
				case <-timeout:
					t.Fatalf("events %v, want them to end with %s", got, tc.want)
				}
			}
			if !slices.Contains(got, hushpay.EventLinkCreated) {
				t.Errorf("events %v lack %s", got, hushpay.EventLinkCreated)
			}
		})
	}
}
