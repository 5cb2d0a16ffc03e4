package wav

import (
	"errors"
	"fmt"
	"strings"
)

// SampleRate is the rate of Audio.Samples: 8 kHz, the telephone rate.
const SampleRate = 8000

// Errors wrapped by Read for files it cannot use.
var (
	// ErrFormat means the file is not a well-formed WAV file (bad header, truncated chunk, ...).
	ErrFormat = errors.New("not a valid WAV file")
	// ErrUnsupported means a well-formed WAV file in a format hushpay does not read.
	ErrUnsupported = errors.New("unsupported WAV format")
)

// Encoding is how a WAV file stores its samples.
type Encoding uint8

// The encodings hushpay reads and writes.
const (
	PCM16 Encoding = iota + 1 // 16-bit signed little-endian linear PCM (WAVE format 1)
	PCMA                      // G.711 A-law, one byte per sample (WAVE format 6)
	PCMU                      // G.711 µ-law, one byte per sample (WAVE format 7)
)

// String returns the encoding's name as the command line spells it.
func (e Encoding) String() string {
	switch e {
	case PCM16:
		return "pcm16"
	case PCMA:
		return "pcma"
	case PCMU:
		return "pcmu"
	}
	return fmt.Sprintf("Encoding(%d)", uint8(e))
}

// BytesPerSample returns the size of one stored sample.
func (e Encoding) BytesPerSample() int {
	if e == PCM16 {
		return 2
	}
	return 1
}

// formatTag returns the WAVE format code of e.
func (e Encoding) formatTag() uint16 {
	switch e {
	case PCMA:
		return formatALaw
	case PCMU:
		return formatULaw
	}
	return formatPCM
}

// ParseEncoding parses an encoding name: "pcm16" (or "pcm", "s16"), "pcmu" (or "ulaw", "mulaw"),
// "pcma" (or "alaw"), in any case.
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(s) {
	case "pcm16", "pcm", "s16", "linear":
		return PCM16, nil
	case "pcmu", "ulaw", "mulaw", "g711u":
		return PCMU, nil
	case "pcma", "alaw", "g711a":
		return PCMA, nil
	}
	return 0, errors.New("unknown encoding (want pcm16, pcmu or pcma)")
}

// Audio is a mono recording read from a WAV file.
type Audio struct {
	// Encoding is how the file stores its samples.
	Encoding Encoding
	// Rate is the file's sample rate in Hz.
	Rate int
	// Data is the file's sample data exactly as stored: the data chunk's payload, Rate samples
	// per second in Encoding. It aliases the file's bytes kept for Rewrite.
	Data []byte
	// Samples is the recording as 8 kHz linear PCM: Data decoded, and resampled if Rate is not
	// 8000 Hz.
	Samples []int16

	file    []byte // the whole file as read
	dataOff int    // offset of Data in file
}

// Len returns the number of stored samples (at Rate).
func (a *Audio) Len() int { return len(a.Data) / a.Encoding.BytesPerSample() }

// StoredIndex converts an index into Samples (8 kHz) to the index of the same instant in Data
// (at Rate), rounding down.
func (a *Audio) StoredIndex(i int64) int64 {
	if a.Rate == SampleRate {
		return i
	}
	return i * int64(a.Rate) / SampleRate
}

// DecodeSamples converts sample data stored in enc at rate Hz to 8 kHz linear PCM, as Read does
// for Audio.Samples.
func DecodeSamples(enc Encoding, rate int, data []byte) []int16 {
	linear := decode(enc, data)
	if rate == SampleRate {
		return linear
	}
	return Resample(linear, rate, SampleRate)
}
