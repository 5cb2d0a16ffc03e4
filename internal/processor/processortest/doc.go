// Package processortest is the conformance suite every processor connector passes: the sandbox in
// its tests, the Stripe connector against stripe-mock. Run it from a connector's tests:
//
//	func TestConformance(t *testing.T) {
//		processortest.Run(t, func(t *testing.T) processor.Processor { return sandbox.New(sandbox.Options{}) })
//	}
//
// The suite uses only public Stripe test cards and test bank accounts, so a gateway's test mode
// gives the same answers. It imports only internal/processor, internal/card and the standard library.
package processortest
