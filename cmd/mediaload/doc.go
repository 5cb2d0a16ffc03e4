// Command mediaload measures hushpay's RTP relay against a minimal baseline relay under a load of
// concurrent calls on loopback (docs/benchmarks-media.md).
//
//	mediaload run --calls 150,500,800 --impls hushpay,baseline --warmup 3s --duration 25s
//	mediaload relay --impl hushpay --calls N --caller-peer ADDR --agent-peer ADDR --ports LOW-HIGH
//
// run starts `mediaload relay` as a child process for each point; relay is that child.
package main
