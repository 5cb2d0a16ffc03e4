package wav

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/hushpay/hushpay/internal/g711"
)

// Encode converts linear samples to enc's stored form (little-endian PCM16 or G.711 bytes).
func Encode(enc Encoding, samples []int16) []byte {
	out := make([]byte, len(samples)*enc.BytesPerSample())
	EncodeTo(out, enc, samples)
	return out
}

// EncodeTo writes the stored form of samples into dst, which must hold
// len(samples)*enc.BytesPerSample() bytes.
func EncodeTo(dst []byte, enc Encoding, samples []int16) {
	switch enc {
	case PCM16:
		for i, s := range samples {
			binary.LittleEndian.PutUint16(dst[2*i:], uint16(s))
		}
	case PCMU:
		g711.EncodeULawTo(dst, samples)
	case PCMA:
		g711.EncodeALawTo(dst, samples)
	}
}

// Write writes samples as a mono 8 kHz WAV file in enc. PCM16 gets the canonical 44-byte header;
// A-law and µ-law get the 18-byte fmt chunk and the fact chunk that non-PCM WAVE files carry.
func Write(w io.Writer, enc Encoding, samples []int16) error {
	return WriteData(w, enc, SampleRate, Encode(enc, samples))
}

// WriteData writes already encoded mono sample data at rate Hz as a WAV file.
func WriteData(w io.Writer, enc Encoding, rate int, data []byte) error {
	if enc != PCM16 && enc != PCMA && enc != PCMU {
		return fmt.Errorf("wav: cannot write %s", enc)
	}
	if len(data) > MaxSize {
		return fmt.Errorf("wav: %d bytes of samples is more than a WAV file can hold here", len(data))
	}
	bps := enc.BytesPerSample()
	fmtLen := 16
	if enc != PCM16 {
		fmtLen = 18
	}
	var h []byte
	h = append(h, "RIFF"...)
	h = binary.LittleEndian.AppendUint32(h, 0) // patched below
	h = append(h, "WAVE"...)
	h = append(h, "fmt "...)
	h = binary.LittleEndian.AppendUint32(h, uint32(fmtLen))
	h = binary.LittleEndian.AppendUint16(h, enc.formatTag())
	h = binary.LittleEndian.AppendUint16(h, 1) // mono
	h = binary.LittleEndian.AppendUint32(h, uint32(rate))
	h = binary.LittleEndian.AppendUint32(h, uint32(rate*bps))
	h = binary.LittleEndian.AppendUint16(h, uint16(bps))
	h = binary.LittleEndian.AppendUint16(h, uint16(8*bps))
	if enc != PCM16 {
		h = binary.LittleEndian.AppendUint16(h, 0) // no extra format bytes
		h = append(h, "fact"...)
		h = binary.LittleEndian.AppendUint32(h, 4)
		h = binary.LittleEndian.AppendUint32(h, uint32(len(data)/bps))
	}
	h = append(h, "data"...)
	h = binary.LittleEndian.AppendUint32(h, uint32(len(data)))
	pad := len(data) & 1
	binary.LittleEndian.PutUint32(h[4:8], uint32(len(h)-8+len(data)+pad))
	if _, err := w.Write(h); err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	if pad == 1 {
		_, err := w.Write([]byte{0})
		return err
	}
	return nil
}

// Rewrite writes the file a was read from with its sample data replaced by data, which must be as
// long as a.Data: every byte outside the samples (headers, other chunks, padding) and every
// sample data holds unchanged is written back exactly as read.
func (a *Audio) Rewrite(w io.Writer, data []byte) error {
	if len(data) != len(a.Data) {
		return fmt.Errorf("wav: rewrite with %d bytes of samples, the file has %d", len(data), len(a.Data))
	}
	if a.file == nil {
		return WriteData(w, a.Encoding, a.Rate, data)
	}
	if _, err := w.Write(a.file[:a.dataOff]); err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	_, err := w.Write(a.file[a.dataOff+len(a.Data):])
	return err
}
