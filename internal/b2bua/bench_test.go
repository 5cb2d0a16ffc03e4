package b2bua_test

import (
	"context"
	"testing"
)

// BenchmarkCallSetupAndTeardown places calls one after another through hushpay between
// in-process SIP peers on loopback (INVITE, 180, 200, ACK, BYE on both legs, the call stored and
// ended, media ports bound and released) and reports calls per second.
func BenchmarkCallSetupAndTeardown(b *testing.B) {
	h := newHarness(b)
	startAgent(b, h)
	c := newCaller(b, h)
	offer := callerSDP(freePort(b))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sess, err := c.call(b, offer)
		if err != nil {
			b.Fatalf("call: %v", err)
		}
		if err := sess.Bye(context.Background()); err != nil {
			b.Fatalf("BYE: %v", err)
		}
	}
	b.StopTimer()
	waitFor(b, "the calls to end", func() bool { return h.b.Calls() == 0 })
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}
