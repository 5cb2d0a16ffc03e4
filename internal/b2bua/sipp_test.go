package b2bua_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/payments"
)

// TestSippCalls runs each caller scenario against hushpay with its agent-side scenario, both in
// sipp, and checks what hushpay stored about the call.
func TestSippCalls(t *testing.T) {
	bin := needSipp(t)
	tests := []struct {
		name, caller, agent string
		// wantLegs is how many legs the stored call has; wantLog a line hushpay must log.
		wantLegs int
		wantLog  string
		// callerArgs are extra sipp arguments for the caller (its transport).
		callerArgs []string
	}{
		{"a basic call ends when the caller hangs up", "caller_basic.xml", "agent_answer.xml", 2, "call active", nil},
		{"a caller on TCP reaches a UDP agent side", "caller_basic.xml", "agent_answer.xml", 2, "call active", []string{"-t", "t1"}},
		{"early media from the agent side reaches the caller", "caller_early.xml", "agent_early.xml", 2, "call active", nil},
		{"a call ends when the agent hangs up", "caller_wait_bye.xml", "agent_bye.xml", 2, "from=agent", nil},
		{"a CANCEL before answer is relayed and the caller gets 487", "caller_cancel.xml", "agent_ring.xml", 2, "reason=cancelled", nil},
		{"486 Busy Here comes back to the caller", "caller_busy.xml", "agent_busy.xml", 2, "status=486", nil},
		{"the agent side holds the call by re-INVITE", "caller_held.xml", "agent_hold_caller.xml", 2, "from=agent", nil},
		{"hold and resume by re-INVITE reach the agent and back", "caller_hold.xml", "agent_hold.xml", 2, "caller_direction=sendonly", nil},
		{"a late offer (INVITE without SDP) gets hushpay's offer in the 200 and its answer in the ACK", "caller_late_offer.xml", "agent_answer_late.xml", 2, "call active", nil},
		{"a late-offer caller on TCP gets its offer in the 200 and answers in the ACK", "caller_late_offer.xml", "agent_answer_late.xml", 2, "call active", []string{"-t", "t1"}},
		{"a late-offer caller gets the agent side's 183 without its SDP", "caller_late_offer_early.xml", "agent_early_late.xml", 2, "early media SDP from the agent leg not used", nil},
		{"a late-offer ACK without the answer ends the call with BYE on both legs", "caller_late_offer_no_answer.xml", "agent_answer_late.xml", 2, "no usable SDP answer in the caller's ACK", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			agent := startSipp(t, bin, tt.agent, h.agentPort, "")
			caller := startSipp(t, bin, tt.caller, freePort(t), h.b.Addr().String(), tt.callerArgs...)
			caller.wait(t)
			agent.wait(t)
			waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
			calls := h.calls(t)
			if len(calls) != 1 {
				t.Fatalf("stored calls = %d, want 1", len(calls))
			}
			c := calls[0]
			if c.State != hushpay.CallEnded || c.EndedAt == nil {
				t.Errorf("stored call state = %s (ended_at %v), want ended", c.State, c.EndedAt)
			}
			if strings.Contains(h.logs.String(), "not applied") || strings.Contains(h.logs.String(), "level=ERROR") {
				t.Errorf("hushpay logged a failure:\n%s", h.logs.String())
			}
			if !strings.Contains(h.logs.String(), tt.wantLog) {
				t.Errorf("hushpay did not log %q", tt.wantLog)
			}
			if len(c.Legs) != tt.wantLegs {
				t.Errorf("stored legs = %+v, want %d", c.Legs, tt.wantLegs)
			}
		})
	}
}

// TestSippOptions checks that OPTIONS is answered 200 with the methods hushpay allows.
func TestSippOptions(t *testing.T) {
	bin := needSipp(t)
	h := newHarness(t)
	startSipp(t, bin, "caller_options.xml", freePort(t), h.b.Addr().String()).wait(t)
}

// TestSippInfoDigitsAreCapturedAndNotForwarded places a call, starts a payment on it, and has
// the caller key six digits as SIP INFO (four application/dtmf-relay, two application/dtmf).
// The agent-side scenario fails on any INFO it receives, so its passing shows none reached
// it; the payment's card number field shows all six were captured.
func TestSippInfoDigitsAreCapturedAndNotForwarded(t *testing.T) {
	bin := needSipp(t)
	h := newHarness(t)
	agent := startSipp(t, bin, "agent_answer.xml", h.agentPort, "")
	caller := startSipp(t, bin, "caller_info.xml", freePort(t), h.b.Addr().String())

	var call *hushpay.Call
	waitFor(t, "the call to be active", func() bool {
		for _, c := range h.calls(t) {
			if c.State == hushpay.CallActive {
				call = c
				return true
			}
		}
		return false
	})
	pr := hushpay.Principal{Tenant: "default", Role: hushpay.RoleAgent, Actor: "test"}
	p, err := h.payments.Create(context.Background(), pr, payments.CreateRequest{CallID: call.ID, Amount: 1250,
		Currency: "usd", Reference: "sipp-info"})
	if err != nil {
		t.Fatal(err)
	}
	caller.wait(t)
	agent.wait(t)
	waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })

	got, err := h.payments.Get(context.Background(), pr, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f := got.Fields[hushpay.FieldCardNumber]; f.Length != 6 {
		t.Errorf("card number field = %+v, want 6 digits captured", f)
	}
	if got.State != hushpay.PaymentCancelled || got.Outcome == nil || got.Outcome.Code != hushpay.OutcomeCallEnded {
		t.Errorf("payment after the call ended: state %s outcome %+v, want cancelled/call_ended", got.State, got.Outcome)
	}
	for _, digits := range []string{"424242", "4 2 4 2"} {
		if strings.Contains(h.logs.String(), digits) {
			t.Errorf("hushpay's log holds the keyed digits %q", digits)
		}
	}
}
