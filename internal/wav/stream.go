package wav

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// Reader streams a WAV file's samples as 8 kHz linear PCM without holding the file in memory,
// for tools that only analyse a recording (Decode keeps the file for Rewrite). An 8 kHz file is
// decoded block by block; a file at another rate is read whole and resampled when the first
// samples are asked for.
type Reader struct {
	// Encoding and Rate describe the file's stored samples.
	Encoding Encoding
	Rate     int

	r      *bufio.Reader
	left   int64  // data bytes still to read
	raw    []byte // scratch for stored bytes
	whole  []int16
	loaded bool
}

// NewReader reads the file's header from r, up to the start of its sample data.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var hdr [12]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil || string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: no RIFF/WAVE header", ErrFormat)
	}
	var (
		f       fmtChunk
		haveFmt bool
	)
	for {
		var ch [8]byte
		if _, err := io.ReadFull(br, ch[:]); err != nil {
			if !haveFmt {
				return nil, fmt.Errorf("%w: no fmt chunk", ErrFormat)
			}
			return nil, fmt.Errorf("%w: no data chunk", ErrFormat)
		}
		id := string(ch[0:4])
		size := int64(binary.LittleEndian.Uint32(ch[4:8]))
		switch {
		case id == "data" && !haveFmt:
			return nil, fmt.Errorf("%w: data chunk before fmt chunk", ErrFormat)
		case id == "data":
			if size%int64(f.encoding.BytesPerSample()) != 0 {
				return nil, fmt.Errorf("%w: data chunk of %d bytes is not a whole number of 16-bit samples", ErrFormat, size)
			}
			return &Reader{Encoding: f.encoding, Rate: f.rate, r: br, left: size}, nil
		case id == "fmt ":
			if size > 1<<16 {
				return nil, fmt.Errorf("%w: fmt chunk of %d bytes", ErrFormat, size)
			}
			body := make([]byte, size+size&1)
			if _, err := io.ReadFull(br, body); err != nil {
				return nil, fmt.Errorf("%w: fmt chunk truncated", ErrFormat)
			}
			var err error
			if f, err = parseFmt(body[:size]); err != nil {
				return nil, err
			}
			haveFmt = true
		default:
			if n, _ := io.CopyN(io.Discard, br, size+size&1); n < size {
				return nil, fmt.Errorf("%w: %q chunk truncated", ErrFormat, printable(id))
			}
		}
	}
}

// Read fills dst with the next 8 kHz samples and returns how many it wrote; at the end of the
// data it returns io.EOF. A data chunk that ends early is an error wrapping ErrFormat.
func (r *Reader) Read(dst []int16) (int, error) {
	if r.Rate != SampleRate {
		return r.readResampled(dst)
	}
	bps := r.Encoding.BytesPerSample()
	n := min(int64(len(dst)), r.left/int64(bps))
	if n == 0 {
		return 0, io.EOF
	}
	if cap(r.raw) < int(n)*bps {
		r.raw = make([]byte, int(n)*bps)
	}
	raw := r.raw[:int(n)*bps]
	if _, err := io.ReadFull(r.r, raw); err != nil {
		return 0, fmt.Errorf("%w: data chunk truncated", ErrFormat)
	}
	r.left -= int64(len(raw))
	decodeTo(dst[:n], r.Encoding, raw)
	return int(n), nil
}

func (r *Reader) readResampled(dst []int16) (int, error) {
	if !r.loaded {
		r.loaded = true
		if r.left > MaxSize {
			return 0, fmt.Errorf("%w: larger than %d bytes", ErrUnsupported, MaxSize)
		}
		// Read what is there rather than trusting the header's size with an allocation.
		raw, err := io.ReadAll(io.LimitReader(r.r, r.left))
		if err != nil {
			return 0, err
		}
		if int64(len(raw)) != r.left {
			return 0, fmt.Errorf("%w: data chunk truncated", ErrFormat)
		}
		r.whole = DecodeSamples(r.Encoding, r.Rate, raw)
	}
	if len(r.whole) == 0 {
		return 0, io.EOF
	}
	n := copy(dst, r.whole)
	r.whole = r.whole[n:]
	return n, nil
}
