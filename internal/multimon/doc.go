// Package multimon runs multimon-ng, an independent DTMF decoder, on hushpay's 8 kHz audio: the
// oracle that the tests and `hushpay demo` hold the masking against. It resamples the audio to
// the 22050 Hz multimon-ng reads (internal/wav's windowed-sinc resampler) and returns the keys it
// reports. It imports nothing of hushpay but internal/wav.
package multimon
