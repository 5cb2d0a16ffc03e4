// Package sdp reads and rewrites the Session Description Protocol bodies (RFC 4566, offer/answer
// per RFC 3264) that the B2BUA relays between a call's two legs: the connection address and
// media port (so media flows through hushpay's relay), the codec list (rtpmap/fmtp, narrowed to
// G.711 and telephone-event when the relay needs the audio), the telephone-event payload type of
// each leg and the direction attributes used for hold.
//
// It keeps every line it does not need to change as it was, so unknown attributes and codecs
// pass through untouched. It must not import any SIP library, net/http or a hushpay service
// package: it works on bytes and returns plain values.
package sdp
