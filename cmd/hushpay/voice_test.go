package main

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay/internal/config"
)

// TestVoiceRoutesFromTheEnvironment builds serve's route table from HUSHPAY_SIP_ROUTES and
// HUSHPAY_SIP_ROUTE and looks calls up in it: by user, by source, first match first, the
// default last.
func TestVoiceRoutesFromTheEnvironment(t *testing.T) {
	cfg, err := config.Load("", func(k string) string {
		return map[string]string{
			"HUSHPAY_SIP_ROUTES": "user=support,target=sip:support@10.0.0.5:5070;transport=tcp,tenant=acme | " +
				"source=192.0.2.0/24,target=sips:sales@pbx.example.net,tenant=beta",
			"HUSHPAY_SIP_ROUTE": "sip:agents@10.0.0.9",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	router, err := voiceRoutes(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ user, source, target, tenant string }{
		{"support", "198.51.100.1", "sip:support@10.0.0.5:5070;transport=tcp", "acme"},
		{"other", "192.0.2.77", "sips:sales@pbx.example.net", "beta"},
		{"support", "192.0.2.77", "sip:support@10.0.0.5:5070;transport=tcp", "acme"},
		{"other", "198.51.100.1", "sip:agents@10.0.0.9", ""},
	} {
		req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: tc.user, Host: "hushpay.example.net"})
		req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: tc.user, Host: "hushpay.example.net"}})
		rt, ok := router.Lookup(req, netip.MustParseAddr(tc.source))
		if !ok || rt.Target.String() != tc.target || rt.Tenant != tc.tenant {
			t.Errorf("call to %s from %s: route %v %s tenant %q, want %s tenant %q", tc.user, tc.source, ok,
				rt.Target.String(), rt.Tenant, tc.target, tc.tenant)
		}
	}
}

// TestVoiceRoutesNameTheBadEntry checks that a target the configuration lets through but the SIP
// parser refuses is reported with its entry and key.
func TestVoiceRoutesNameTheBadEntry(t *testing.T) {
	cfg := config.Default()
	cfg.SIPRoutes = []config.SIPRoute{{User: "a", Target: "sip:a@10.0.0.1"}, {User: "b", Target: "sip:b@[::1"}}
	_, err := voiceRoutes(cfg)
	if err == nil || !strings.Contains(err.Error(), "HUSHPAY_SIP_ROUTES): entry 2: target") {
		t.Fatalf("err = %v", err)
	}
}
