package wav_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/hushpay/hushpay/internal/wav"
)

// readAll streams a file through wav.Reader in blocks of block samples.
func readAll(file []byte, block int) ([]int16, error) {
	r, err := wav.NewReader(bytes.NewReader(file))
	if err != nil {
		return nil, err
	}
	var out []int16
	buf := make([]int16, block)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestReaderMatchesDecode(t *testing.T) {
	pcm := pcmBytes(0, 1000, -1000, 32767, -32768, 5, 6)
	ulaw := []byte{0xff, 0x80, 0x00, 0x7f, 0x35}
	files := map[string][]byte{
		"PCM16":                  riff(chunk("fmt ", fmtBody(1, 1, 8000, 16)), chunk("data", pcm)),
		"µ-law after odd chunks": riff(chunk("LIST", []byte("INFOabc")), chunk("fmt ", append(fmtBody(7, 1, 8000, 8), 0, 0)), chunk("fact", []byte{5, 0, 0, 0}), chunk("data", ulaw)),
		"extensible A-law":       riff(chunk("fmt ", extensible(6, 8000, 8, ksTail)), chunk("data", ulaw)),
		"PCM16 at 16 kHz":        riff(chunk("fmt ", fmtBody(1, 1, 16000, 16)), chunk("data", pcmBytes(sine(1000, 16000, 1600, 8000)...))),
	}
	for name, file := range files {
		for _, block := range []int{1, 3, 4096} {
			t.Run(name+" in blocks of "+itoa(block), func(t *testing.T) {
				a, err := wav.Decode(file)
				if err != nil {
					t.Fatal(err)
				}
				got, err := readAll(file, block)
				if err != nil {
					t.Fatal(err)
				}
				if !equal16(got, a.Samples) {
					t.Fatalf("streamed %d samples that differ from the %d Decode gives", len(got), len(a.Samples))
				}
			})
		}
	}
}

func TestReaderErrors(t *testing.T) {
	pcm := pcmBytes(1, 2, 3, 4)
	good := riff(chunk("fmt ", fmtBody(1, 1, 8000, 16)), chunk("data", pcm))
	tests := []struct {
		name string
		file []byte
		want error
	}{
		{"empty", nil, wav.ErrFormat},
		{"truncated samples", good[:len(good)-3], wav.ErrFormat},
		{"no data chunk", riff(chunk("fmt ", fmtBody(1, 1, 8000, 16))), wav.ErrFormat},
		{"a truncated chunk before the data", riff(chunk("fmt ", fmtBody(1, 1, 8000, 16)))[:30], wav.ErrFormat},
		{"stereo", riff(chunk("fmt ", fmtBody(1, 2, 8000, 16)), chunk("data", pcm)), wav.ErrUnsupported},
		{"data before fmt", riff(chunk("data", pcm), chunk("fmt ", fmtBody(1, 1, 8000, 16))), wav.ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := readAll(tt.file, 2); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func BenchmarkReaderPCM16(b *testing.B) {
	samples := sine(1000, 8000, 8000*60, 8000)
	var file bytes.Buffer
	if err := wav.Write(&file, wav.PCM16, samples); err != nil {
		b.Fatal(err)
	}
	buf := make([]int16, 4096)
	b.ReportAllocs()
	for b.Loop() {
		r, err := wav.NewReader(bytes.NewReader(file.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Read(buf); err != nil {
				break
			}
		}
	}
}
