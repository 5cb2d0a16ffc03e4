// Package mediaload measures the RTP relay under load on loopback: a generator of N concurrent
// calls (G.711 at 50 packets/s per direction, keys pressed in-band and as RFC 4733 while the call
// is secure), a minimal baseline relay doing the same per-packet DSP as internal/media (a single
// epoll loop with recvmmsg/sendmmsg), and the runner that starts the relay under test as a child
// process so that its CPU is read apart from the generator's.
//
// It is benchmark code: it imports internal/media, internal/dtmf and internal/g711, and must not
// be imported by the product (nothing under cmd/hushpay or internal/ but cmd/mediaload).
package mediaload
