package g711

import (
	"fmt"
	"testing"
)

// The reference functions below follow the ITU-T G.191 software tools library (g711.c:
// ulaw_compress, ulaw_expand, alaw_compress, alaw_expand), written out independently of the
// code under test so that a table or shift error in either shows up as a mismatch.

func refULawEncode(lin int16) byte {
	var absno int
	if lin < 0 {
		absno = int(^lin)>>2 + 33
	} else {
		absno = int(lin)>>2 + 33
	}
	if absno > 0x1FFF {
		absno = 0x1FFF
	}
	segno := 1
	for i := absno >> 6; i != 0; i >>= 1 {
		segno++
	}
	high := 0x8 - segno
	low := 0xF - (absno>>segno)&0xF
	out := high<<4 | low
	if lin >= 0 {
		out |= 0x80
	}
	return byte(out)
}

func refULawDecode(b byte) int16 {
	sign := 1
	if b < 0x80 {
		sign = -1
	}
	m := int(^b)
	exponent := (m >> 4) & 0x7
	segment := exponent + 1
	m &= 0xF
	step := 4 << segment
	return int16(sign * ((0x80 << exponent) + step*m + step/2 - 4*33))
}

func refALawEncode(lin int16) byte {
	var ix int
	if lin < 0 {
		ix = int(^lin) >> 4
	} else {
		ix = int(lin) >> 4
	}
	if ix > 15 {
		exp := 1
		for ix > 16+15 {
			ix >>= 1
			exp++
		}
		ix -= 16
		ix += exp << 4
	}
	if lin >= 0 {
		ix |= 0x80
	}
	return byte(ix ^ 0x55)
}

func refALawDecode(b byte) int16 {
	ix := int(b^0x55) & 0x7F
	exp := ix >> 4
	m := ix & 0xF
	if exp > 0 {
		m += 16
	}
	m = m<<4 + 8
	if exp > 1 {
		m <<= exp - 1
	}
	if b > 127 {
		return int16(m)
	}
	return int16(-m)
}

func TestDecodeMatchesG191ForEveryCode(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		if got, want := DecodeULaw(b), refULawDecode(b); got != want {
			t.Errorf("DecodeULaw(%#02x) = %d, want %d", b, got, want)
		}
		if got, want := DecodeALaw(b), refALawDecode(b); got != want {
			t.Errorf("DecodeALaw(%#02x) = %d, want %d", b, got, want)
		}
	}
}

func TestEncodeMatchesG191ForEverySample(t *testing.T) {
	for v := -32768; v <= 32767; v++ {
		s := int16(v)
		if got, want := EncodeULaw(s), refULawEncode(s); got != want {
			t.Fatalf("EncodeULaw(%d) = %#02x, want %#02x", s, got, want)
		}
		if got, want := EncodeALaw(s), refALawEncode(s); got != want {
			t.Fatalf("EncodeALaw(%d) = %#02x, want %#02x", s, got, want)
		}
	}
}

func TestDecodedValuesEncodeBackToTheSameCode(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		if b == 0x7F { // μ-law negative zero decodes to 0, which encodes as positive zero 0xFF
			continue
		}
		if got := EncodeULaw(DecodeULaw(b)); got != b {
			t.Errorf("μ-law %#02x -> %d -> %#02x", b, DecodeULaw(b), got)
		}
		if got := EncodeALaw(DecodeALaw(b)); got != b {
			t.Errorf("A-law %#02x -> %d -> %#02x", b, DecodeALaw(b), got)
		}
	}
}

func TestKnownCodes(t *testing.T) {
	tests := []struct {
		name string
		got  int16
		want int16
	}{
		{"μ-law 0xFF is zero", DecodeULaw(0xFF), 0},
		{"μ-law 0x80 is the positive maximum", DecodeULaw(0x80), 32124},
		{"μ-law 0x00 is the negative maximum", DecodeULaw(0x00), -32124},
		{"A-law 0xD5 is the smallest positive step", DecodeALaw(0xD5), 8},
		{"A-law 0xAA is the positive maximum", DecodeALaw(0xAA), 32256},
		{"A-law 0x2A is the negative maximum", DecodeALaw(0x2A), -32256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %d, want %d", tt.got, tt.want)
			}
		})
	}
}

func TestSliceFunctionsMatchSampleFunctions(t *testing.T) {
	pcm := make([]int16, 4096)
	for i := range pcm {
		pcm[i] = int16(i*97 - 20000)
	}
	codecs := []struct {
		name   string
		encode func([]byte, []int16)
		decode func([]int16, []byte)
		enc1   func(int16) byte
		dec1   func(byte) int16
	}{
		{"PCMU", EncodeULawTo, DecodeULawTo, EncodeULaw, DecodeULaw},
		{"PCMA", EncodeALawTo, DecodeALawTo, EncodeALaw, DecodeALaw},
	}
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			codes := make([]byte, len(pcm))
			c.encode(codes, pcm)
			back := make([]int16, len(pcm))
			c.decode(back, codes)
			for i := range pcm {
				if codes[i] != c.enc1(pcm[i]) || back[i] != c.dec1(codes[i]) {
					t.Fatalf("sample %d: slice and sample conversions differ", i)
				}
			}
		})
	}
}

func TestSliceFunctionsStopAtTheShorterSlice(t *testing.T) {
	dst := []int16{1, 2, 3}
	DecodeULawTo(dst, []byte{0xFF})
	if fmt.Sprint(dst) != "[0 2 3]" {
		t.Errorf("DecodeULawTo wrote past the source: %v", dst)
	}
	codes := []byte{9}
	EncodeALawTo(codes, []int16{0, 0, 0})
	if codes[0] != EncodeALaw(0) {
		t.Errorf("EncodeALawTo did not encode the first sample")
	}
}

func benchmarkDecode(b *testing.B, decode func([]int16, []byte)) {
	src := make([]byte, 160)
	for i := range src {
		src[i] = byte(i * 37)
	}
	dst := make([]int16, 160)
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		decode(dst, src)
	}
}

func benchmarkEncode(b *testing.B, encode func([]byte, []int16)) {
	src := make([]int16, 160)
	for i := range src {
		src[i] = int16(i*401 - 32000)
	}
	dst := make([]byte, 160)
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		encode(dst, src)
	}
}

func BenchmarkDecodeULaw20ms(b *testing.B) { benchmarkDecode(b, DecodeULawTo) }
func BenchmarkDecodeALaw20ms(b *testing.B) { benchmarkDecode(b, DecodeALawTo) }
func BenchmarkEncodeULaw20ms(b *testing.B) { benchmarkEncode(b, EncodeULawTo) }
func BenchmarkEncodeALaw20ms(b *testing.B) { benchmarkEncode(b, EncodeALawTo) }
