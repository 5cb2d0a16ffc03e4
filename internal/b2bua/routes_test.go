package b2bua_test

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/b2bua"
)

// TestRoutesSendCallsToTheirAgents routes by the called user (to the support agent, tenant acme)
// and by the caller's source address (127.0.0.2 to the sales agent, tenant beta), before the
// default route: each call reaches the agent its first matching route names, with that route's
// tenant on the stored call.
func TestRoutesSendCallsToTheirAgents(t *testing.T) {
	supportPort, salesPort := freePort(t), freePort(t)
	target := func(user string, port int) sip.Uri {
		u, err := b2bua.ParseTarget(fmt.Sprintf("sip:%s@127.0.0.1:%d", user, port))
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	h := newHarnessWithRoutes(t,
		b2bua.Route{User: "support", Target: target("support", supportPort), Tenant: "acme"},
		b2bua.Route{Source: netip.MustParsePrefix("127.0.0.2/32"), Target: target("sales", salesPort), Tenant: "beta"},
	)
	agents := map[string]agentPeer{
		"support": startAgentOn(t, supportPort),
		"sales":   startAgentOn(t, salesPort),
		"default": startAgentOn(t, h.agentPort),
	}
	tests := []struct {
		name, from, user  string
		wantAgent, tenant string
	}{
		{"a call to user support goes to the support agent", "127.0.0.1", "support", "support", "acme"},
		{"a call from 127.0.0.2 goes to the sales agent", "127.0.0.2", "agents", "sales", "beta"},
		{"a call that matches no route takes the default", "127.0.0.1", "agents", "default", "default"},
		{"the first matching route wins", "127.0.0.2", "support", "support", "acme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess, err := newCallerFrom(t, h, tt.from, tt.user).call(t, callerSDP(freePort(t)))
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			for name, a := range agents {
				select {
				case inv := <-a.invites:
					if name != tt.wantAgent {
						t.Errorf("the %s agent got the INVITE (to %s), want the %s agent", name, inv.To().Address.User, tt.wantAgent)
					}
				default:
					if name == tt.wantAgent {
						t.Errorf("the %s agent got no INVITE", name)
					}
				}
			}
			checkStoredTenant(t, h, sess.InviteRequest.CallID().Value(), tt.tenant)
			if err := sess.Bye(context.Background()); err != nil {
				t.Fatalf("BYE: %v", err)
			}
			waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
		})
	}
}

// checkStoredTenant checks that the call whose caller leg has sipCallID is stored under tenant.
func checkStoredTenant(t *testing.T, h *harness, sipCallID, tenant string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	page, err := h.store.ListCalls(ctx, tenant, hushpay.CallFilter{SIPCallID: sipCallID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 1 {
		t.Errorf("calls of tenant %s with the caller's Call-ID: %d, want 1", tenant, len(page.Data))
	}
}
