// Package wav reads and writes the WAV files hushpay's tools work on: mono RIFF/WAVE with 16-bit
// linear PCM, G.711 A-law or G.711 µ-law samples (plain or WAVE_FORMAT_EXTENSIBLE).
//
// Read returns the samples as 8 kHz linear PCM, the rate the DTMF detector runs at, and keeps the
// file's original bytes so that a tool that changes a few samples can write every other byte of
// the file back unchanged (see Audio.Rewrite). A file at another sample rate is resampled to
// 8 kHz with a windowed-sinc low-pass resampler; its stored samples are left as they are. A file
// with more than one channel is refused: downmixing would hide which channel holds what, and a
// redacted recording must keep every channel's samples bit-identical.
//
// The reader treats its input as untrusted: a malformed or truncated file gives an error wrapping
// ErrFormat or ErrUnsupported, never a panic. This package does no signal analysis and must not
// import hushpay's DTMF, network or service packages; it depends only on internal/g711.
package wav
