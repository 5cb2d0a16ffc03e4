package wav

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/hushpay/hushpay/internal/g711"
)

// The WAVE format codes hushpay knows.
const (
	formatPCM        = 0x0001
	formatALaw       = 0x0006
	formatULaw       = 0x0007
	formatExtensible = 0xFFFE
)

// MaxSize is the largest file Read accepts: about 18 hours of 8 kHz PCM16.
const MaxSize = 1 << 30

// extensibleGUIDTail is the part of a KSDATAFORMAT_SUBTYPE GUID after its first two bytes (the
// plain WAVE format code) for every format derived from a WAVE format code.
var extensibleGUIDTail = [14]byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// Read reads a whole WAV file from r (at most MaxSize bytes).
func Read(r io.Reader) (*Audio, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrUnsupported, MaxSize)
	}
	return Decode(b)
}

// Decode parses a WAV file held in b. The returned Audio keeps b (it does not copy it).
func Decode(b []byte) (*Audio, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: no RIFF/WAVE header", ErrFormat)
	}
	var (
		f       fmtChunk
		haveFmt bool
	)
	for off := 12; off < len(b); {
		if len(b)-off < 8 {
			return nil, fmt.Errorf("%w: truncated chunk header at byte %d", ErrFormat, off)
		}
		id := string(b[off : off+4])
		size := int64(binary.LittleEndian.Uint32(b[off+4 : off+8]))
		body := off + 8
		if size > int64(len(b)-body) {
			return nil, fmt.Errorf("%w: %q chunk truncated (header says %d bytes, %d left)", ErrFormat, printable(id), size, len(b)-body)
		}
		end := body + int(size)
		switch id {
		case "fmt ":
			var err error
			if f, err = parseFmt(b[body:end]); err != nil {
				return nil, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, fmt.Errorf("%w: data chunk before fmt chunk", ErrFormat)
			}
			return newAudio(b, f, body, end)
		}
		off = end + int(size&1) // chunks are padded to an even size
	}
	if !haveFmt {
		return nil, fmt.Errorf("%w: no fmt chunk", ErrFormat)
	}
	return nil, fmt.Errorf("%w: no data chunk", ErrFormat)
}

// fmtChunk is the part of a fmt chunk hushpay uses.
type fmtChunk struct {
	encoding Encoding
	channels int
	rate     int
}

func parseFmt(c []byte) (fmtChunk, error) {
	if len(c) < 16 {
		return fmtChunk{}, fmt.Errorf("%w: fmt chunk of %d bytes, want at least 16", ErrFormat, len(c))
	}
	tag := binary.LittleEndian.Uint16(c[0:2])
	f := fmtChunk{
		channels: int(binary.LittleEndian.Uint16(c[2:4])),
		rate:     int(binary.LittleEndian.Uint32(c[4:8])),
	}
	blockAlign := int(binary.LittleEndian.Uint16(c[12:14]))
	bits := int(binary.LittleEndian.Uint16(c[14:16]))
	if tag == formatExtensible {
		var err error
		if tag, err = extensibleTag(c); err != nil {
			return fmtChunk{}, err
		}
	}
	switch {
	case tag == formatPCM && bits == 16:
		f.encoding = PCM16
	case tag == formatPCM:
		return fmtChunk{}, fmt.Errorf("%w: %d-bit PCM (hushpay reads 16-bit PCM, A-law and µ-law)", ErrUnsupported, bits)
	case tag == formatALaw && bits == 8:
		f.encoding = PCMA
	case tag == formatULaw && bits == 8:
		f.encoding = PCMU
	case tag == formatALaw || tag == formatULaw:
		return fmtChunk{}, fmt.Errorf("%w: G.711 with %d bits per sample, want 8", ErrFormat, bits)
	default:
		return fmtChunk{}, fmt.Errorf("%w: WAVE format 0x%04x (hushpay reads 16-bit PCM, A-law and µ-law)", ErrUnsupported, tag)
	}
	if f.channels != 1 {
		return fmtChunk{}, fmt.Errorf("%w: %d channels (hushpay reads mono recordings only; split the channels first, e.g. sox in.wav out.wav remix 1)", ErrUnsupported, f.channels)
	}
	if f.rate < 4000 || f.rate > 384000 {
		return fmtChunk{}, fmt.Errorf("%w: sample rate %d Hz (want 4000 to 384000 Hz)", ErrUnsupported, f.rate)
	}
	if blockAlign != f.encoding.BytesPerSample() {
		return fmtChunk{}, fmt.Errorf("%w: block align %d for mono %s", ErrFormat, blockAlign, f.encoding)
	}
	return f, nil
}

// extensibleTag returns the WAVE format code inside a WAVE_FORMAT_EXTENSIBLE fmt chunk.
func extensibleTag(c []byte) (uint16, error) {
	if len(c) < 40 || binary.LittleEndian.Uint16(c[16:18]) < 22 {
		return 0, fmt.Errorf("%w: WAVE_FORMAT_EXTENSIBLE fmt chunk too short", ErrFormat)
	}
	guid := c[24:40]
	if !bytes.Equal(guid[2:], extensibleGUIDTail[:]) {
		return 0, fmt.Errorf("%w: WAVE_FORMAT_EXTENSIBLE with an unknown sub-format", ErrUnsupported)
	}
	return binary.LittleEndian.Uint16(guid[0:2]), nil
}

func newAudio(file []byte, f fmtChunk, start, end int) (*Audio, error) {
	data := file[start:end]
	if len(data)%f.encoding.BytesPerSample() != 0 {
		return nil, fmt.Errorf("%w: data chunk of %d bytes is not a whole number of 16-bit samples", ErrFormat, len(data))
	}
	a := &Audio{Encoding: f.encoding, Rate: f.rate, Data: data, file: file, dataOff: start}
	a.Samples = DecodeSamples(f.encoding, f.rate, data)
	return a, nil
}

// decode converts stored samples to linear PCM.
func decode(enc Encoding, data []byte) []int16 {
	out := make([]int16, len(data)/enc.BytesPerSample())
	decodeTo(out, enc, data)
	return out
}

// decodeTo converts stored samples to linear PCM into dst, which holds exactly their number.
func decodeTo(dst []int16, enc Encoding, data []byte) {
	switch enc {
	case PCM16:
		data = data[:2*len(dst)]
		for i := range dst {
			dst[i] = int16(uint16(data[2*i]) | uint16(data[2*i+1])<<8)
		}
	case PCMU:
		g711.DecodeULawTo(dst, data)
	case PCMA:
		g711.DecodeALawTo(dst, data)
	}
}

// printable replaces the non-printable bytes of a chunk id so that an error never carries
// arbitrary binary input.
func printable(id string) string {
	b := []byte(id)
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '?'
		}
	}
	return string(b)
}
