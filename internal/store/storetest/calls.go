package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
)

func newCall(tenant, id string, started time.Time) *hushpay.Call {
	return &hushpay.Call{
		ID: id, Tenant: tenant, State: hushpay.CallActive,
		Legs: []hushpay.CallLeg{
			{Role: hushpay.LegCaller, SIPCallID: "in-" + id + "@carrier", From: "sip:+4420794600@carrier", To: "sip:support@acme"},
			{Role: hushpay.LegAgent, SIPCallID: "out-" + id + "@hushpay", From: "sip:+4420794600@hushpay", To: "sip:agents@pbx"},
		},
		Node: "node-a", StartedAt: started, Version: 1,
	}
}

func testCalls(t *testing.T, open Opener) {
	t.Run("create, get and update with versions", func(t *testing.T) {
		s := open(t)
		c := newCall("acme", "call_1", at(0))
		must(t, "CreateCall", s.CreateCall(t.Context(), c))
		wantKind(t, "CreateCall again", s.CreateCall(t.Context(), newCall("acme", "call_1", at(0))), hushpay.KindConflict)
		got, err := s.GetCall(t.Context(), "acme", "call_1")
		must(t, "GetCall", err)
		equal(t, "stored call", c, got)

		stale := *c
		ended := at(60)
		c.State, c.EndedAt, c.Secure, c.PaymentID = hushpay.CallEnded, &ended, true, "pay_1"
		must(t, "UpdateCall", s.UpdateCall(t.Context(), c))
		if c.Version != 2 {
			t.Errorf("the argument's version is %d after the update, want 2", c.Version)
		}
		got, err = s.GetCall(t.Context(), "acme", "call_1")
		must(t, "GetCall", err)
		equal(t, "updated call", c, got)
		wantKind(t, "UpdateCall at a stale version", s.UpdateCall(t.Context(), &stale), hushpay.KindConflict)
	})
	t.Run("another tenant's call is not found", func(t *testing.T) {
		s := open(t)
		must(t, "CreateCall", s.CreateCall(t.Context(), newCall("acme", "call_1", at(0))))
		_, err := s.GetCall(t.Context(), "globex", "call_1")
		wantKind(t, "GetCall of another tenant", err, hushpay.KindNotFound)
		wantKind(t, "UpdateCall of another tenant", s.UpdateCall(t.Context(), newCall("globex", "call_1", at(0))), hushpay.KindNotFound)
		page, err := s.ListCalls(t.Context(), "globex", hushpay.CallFilter{SIPCallID: "in-call_1@carrier"})
		must(t, "ListCalls", err)
		if len(page.Data) != 0 {
			t.Errorf("another tenant lists %d calls by SIP Call-ID", len(page.Data))
		}
	})
	t.Run("the SIP Call-ID filter matches either leg", func(t *testing.T) {
		s := open(t)
		c1, c2 := newCall("acme", "call_1", at(1)), newCall("acme", "call_2", at(2))
		must(t, "CreateCall", s.CreateCall(t.Context(), c1))
		must(t, "CreateCall", s.CreateCall(t.Context(), c2))
		tests := []struct{ sipCallID, want string }{
			{"in-call_1@carrier", "call_1"},
			{"out-call_1@hushpay", "call_1"},
			{"out-call_2@hushpay", "call_2"},
		}
		for _, tt := range tests {
			t.Run(tt.sipCallID, func(t *testing.T) {
				page, err := s.ListCalls(t.Context(), "acme", hushpay.CallFilter{SIPCallID: tt.sipCallID})
				must(t, "ListCalls", err)
				equal(t, "call IDs", []string{tt.want}, callIDs(page.Data))
			})
		}
	})
	t.Run("an update re-indexes the legs", func(t *testing.T) {
		s := open(t)
		c := newCall("acme", "call_1", at(1))
		c.Legs = c.Legs[:1] // ringing: no agent leg yet
		c.State = hushpay.CallRinging
		must(t, "CreateCall", s.CreateCall(t.Context(), c))
		c.Legs = []hushpay.CallLeg{c.Legs[0], {Role: hushpay.LegAgent, SIPCallID: "transfer-1@hushpay"}}
		c.State = hushpay.CallActive
		must(t, "UpdateCall", s.UpdateCall(t.Context(), c))
		page, err := s.ListCalls(t.Context(), "acme", hushpay.CallFilter{SIPCallID: "transfer-1@hushpay", State: hushpay.CallActive})
		must(t, "ListCalls", err)
		equal(t, "calls by the new leg", []string{"call_1"}, callIDs(page.Data))
		c.Legs = c.Legs[:1]
		must(t, "UpdateCall", s.UpdateCall(t.Context(), c))
		page, err = s.ListCalls(t.Context(), "acme", hushpay.CallFilter{SIPCallID: "transfer-1@hushpay"})
		must(t, "ListCalls", err)
		equal(t, "calls by a removed leg", []string(nil), callIDs(page.Data))
	})
	t.Run("pages are newest first and filter by state", func(t *testing.T) {
		s := open(t)
		var want []string
		for i := range 7 {
			c := newCall("acme", fmt.Sprintf("call_%d", i), at(i))
			if i%2 == 1 {
				c.State = hushpay.CallEnded
			} else {
				want = append([]string{c.ID}, want...)
			}
			must(t, "CreateCall", s.CreateCall(t.Context(), c))
		}
		f := hushpay.CallFilter{State: hushpay.CallActive, Limit: 3}
		var got []string
		for n := 0; ; n++ {
			page, err := s.ListCalls(t.Context(), "acme", f)
			must(t, "ListCalls", err)
			got = append(got, callIDs(page.Data)...)
			checkPage(t, n, len(page.Data), page.HasMore, page.NextCursor, []int{3, 1})
			if !page.HasMore || n > 5 {
				break
			}
			f.Cursor = page.NextCursor
		}
		equal(t, "active call IDs over every page", want, got)
		_, err := s.ListCalls(t.Context(), "acme", hushpay.CallFilter{Cursor: "%%%"})
		wantKind(t, "ListCalls with a bad cursor", err, hushpay.KindInvalid)
	})
}

func callIDs(cs []*hushpay.Call) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}
