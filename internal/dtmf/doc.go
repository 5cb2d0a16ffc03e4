// Package dtmf detects and generates in-band DTMF (keypad) tones in 8 kHz linear PCM.
//
// It owns the streaming detector (Detector: one small state per stream, no allocation and no
// goroutine per frame), the keypad tone generator (Generate, AppendKey) and the neutral mask tone
// that replaces key presses towards the agent (ToneGen). docs/dtmf.md explains the detector's design
// and holds its measured accuracy and cost.
//
// It imports only the standard library: no SIP, no RTP, no HTTP, no file formats. RFC 4733
// telephone-events live in the rfc4733 subpackage; G.711 conversion lives in internal/g711.
package dtmf
