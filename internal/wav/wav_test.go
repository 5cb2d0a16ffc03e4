package wav_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/g711"
	"github.com/hushpay/hushpay/internal/wav"
)

// chunk builds one RIFF chunk with its padding byte when the body has an odd size.
func chunk(id string, body []byte) []byte {
	b := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	b = append(b, body...)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func riff(chunks ...[]byte) []byte {
	body := []byte("WAVE")
	for _, c := range chunks {
		body = append(body, c...)
	}
	return chunk("RIFF", body)
}

func fmtBody(tag uint16, channels, rate, bits int) []byte {
	align := channels * bits / 8
	b := binary.LittleEndian.AppendUint16(nil, tag)
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*align))
	b = binary.LittleEndian.AppendUint16(b, uint16(align))
	return binary.LittleEndian.AppendUint16(b, uint16(bits))
}

// extensible builds a WAVE_FORMAT_EXTENSIBLE fmt body around the plain format code sub.
func extensible(sub uint16, rate, bits int, guidTail []byte) []byte {
	b := fmtBody(0xFFFE, 1, rate, bits)
	b = binary.LittleEndian.AppendUint16(b, 22)
	b = binary.LittleEndian.AppendUint16(b, uint16(bits))
	b = binary.LittleEndian.AppendUint32(b, 4) // front centre
	b = binary.LittleEndian.AppendUint16(b, sub)
	return append(b, guidTail...)
}

var ksTail = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

func pcmBytes(s ...int16) []byte {
	var b []byte
	for _, v := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

func TestDecodeLayouts(t *testing.T) {
	pcm := pcmBytes(0, 1000, -1000, 32767, -32768)
	ulaw := []byte{0xff, 0x80, 0x00, 0x7f, 0x35}
	tests := []struct {
		name string
		file []byte
		enc  wav.Encoding
		want []int16
	}{
		{"canonical PCM16", riff(chunk("fmt ", fmtBody(1, 1, 8000, 16)), chunk("data", pcm)),
			wav.PCM16, []int16{0, 1000, -1000, 32767, -32768}},
		{"µ-law with an 18-byte fmt chunk and a fact chunk",
			riff(chunk("fmt ", append(fmtBody(7, 1, 8000, 8), 0, 0)), chunk("fact", []byte{5, 0, 0, 0}), chunk("data", ulaw)),
			wav.PCMU, decodeU(ulaw)},
		{"A-law", riff(chunk("fmt ", fmtBody(6, 1, 8000, 8)), chunk("data", ulaw)), wav.PCMA, decodeA(ulaw)},
		{"unknown chunks with odd sizes before and after are skipped",
			riff(chunk("LIST", []byte("INFOabc")), chunk("fmt ", fmtBody(1, 1, 8000, 16)), chunk("junk", []byte{1}), chunk("data", pcm), chunk("cue ", []byte{1, 2, 3})),
			wav.PCM16, []int16{0, 1000, -1000, 32767, -32768}},
		{"an odd-sized G.711 data chunk followed by its padding byte and another chunk",
			riff(chunk("fmt ", fmtBody(7, 1, 8000, 8)), chunk("data", ulaw[:3]), chunk("LIST", []byte("INFO"))),
			wav.PCMU, decodeU(ulaw[:3])},
		{"WAVE_FORMAT_EXTENSIBLE PCM16", riff(chunk("fmt ", extensible(1, 8000, 16, ksTail)), chunk("data", pcm)),
			wav.PCM16, []int16{0, 1000, -1000, 32767, -32768}},
		{"WAVE_FORMAT_EXTENSIBLE µ-law", riff(chunk("fmt ", extensible(7, 8000, 8, ksTail)), chunk("data", ulaw)),
			wav.PCMU, decodeU(ulaw)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := wav.Decode(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if a.Encoding != tt.enc || a.Rate != 8000 {
				t.Fatalf("encoding %s at %d Hz, want %s at 8000", a.Encoding, a.Rate, tt.enc)
			}
			if !equal16(a.Samples, tt.want) {
				t.Fatalf("samples %v, want %v", a.Samples, tt.want)
			}
			if a.Len() != len(tt.want) {
				t.Fatalf("Len() = %d, want %d", a.Len(), len(tt.want))
			}
		})
	}
}

func decodeU(b []byte) []int16 {
	out := make([]int16, len(b))
	g711.DecodeULawTo(out, b)
	return out
}

func decodeA(b []byte) []int16 {
	out := make([]int16, len(b))
	g711.DecodeALawTo(out, b)
	return out
}

func equal16(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDecodeErrors(t *testing.T) {
	pcm := pcmBytes(1, 2, 3, 4)
	good := riff(chunk("fmt ", fmtBody(1, 1, 8000, 16)), chunk("data", pcm))
	tests := []struct {
		name string
		file []byte
		want error
	}{
		{"empty file", nil, wav.ErrFormat},
		{"not RIFF", append([]byte("RIFX"), good[4:]...), wav.ErrFormat},
		{"RIFF but not WAVE", append(append([]byte{}, good[:8]...), append([]byte("AVI "), good[12:]...)...), wav.ErrFormat},
		{"truncated inside the data chunk", good[:len(good)-3], wav.ErrFormat},
		{"truncated inside a chunk header", good[:40], wav.ErrFormat},
		{"no fmt chunk", riff(chunk("data", pcm)), wav.ErrFormat},
		{"no data chunk", riff(chunk("fmt ", fmtBody(1, 1, 8000, 16))), wav.ErrFormat},
		{"fmt chunk too short", riff(chunk("fmt ", fmtBody(1, 1, 8000, 16)[:14]), chunk("data", pcm)), wav.ErrFormat},
		{"stereo", riff(chunk("fmt ", fmtBody(1, 2, 8000, 16)), chunk("data", pcm)), wav.ErrUnsupported},
		{"8-bit PCM", riff(chunk("fmt ", fmtBody(1, 1, 8000, 8)), chunk("data", pcm)), wav.ErrUnsupported},
		{"24-bit PCM", riff(chunk("fmt ", fmtBody(1, 1, 8000, 24)), chunk("data", pcm[:6])), wav.ErrUnsupported},
		{"IEEE float", riff(chunk("fmt ", fmtBody(3, 1, 8000, 32)), chunk("data", pcm)), wav.ErrUnsupported},
		{"GSM 6.10", riff(chunk("fmt ", fmtBody(0x31, 1, 8000, 0)), chunk("data", pcm)), wav.ErrUnsupported},
		{"extensible with an unknown sub-format GUID", riff(chunk("fmt ", extensible(1, 8000, 16, make([]byte, 14))), chunk("data", pcm)), wav.ErrUnsupported},
		{"extensible fmt chunk cut short", riff(chunk("fmt ", extensible(1, 8000, 16, ksTail)[:30]), chunk("data", pcm)), wav.ErrFormat},
		{"µ-law with 16 bits per sample", riff(chunk("fmt ", fmtBody(7, 1, 8000, 16)), chunk("data", pcm)), wav.ErrFormat},
		{"sample rate of zero", riff(chunk("fmt ", fmtBody(1, 1, 0, 16)), chunk("data", pcm)), wav.ErrUnsupported},
		{"PCM16 data of an odd size", riff(chunk("fmt ", fmtBody(1, 1, 8000, 16)), chunk("data", pcm[:5])), wav.ErrFormat},
		{"block align that does not match", riff(chunk("fmt ", func() []byte { b := fmtBody(1, 1, 8000, 16); b[12] = 4; return b }()), chunk("data", pcm)), wav.ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := wav.Decode(tt.file)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %v, %v; want an error wrapping %v", a, err, tt.want)
			}
		})
	}
}

func TestWriteThenRead(t *testing.T) {
	samples, err := dtmf.Generate("4242", dtmf.DefaultGenOptions())
	if err != nil {
		t.Fatal(err)
	}
	samples = append(samples, 32767, -32768, 1) // odd length: G.711 data needs a padding byte
	for _, enc := range []wav.Encoding{wav.PCM16, wav.PCMU, wav.PCMA} {
		t.Run(enc.String(), func(t *testing.T) {
			var buf bytes.Buffer
			if err := wav.Write(&buf, enc, samples); err != nil {
				t.Fatal(err)
			}
			a, err := wav.Decode(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if a.Encoding != enc || a.Rate != 8000 {
				t.Fatalf("read back %s at %d Hz", a.Encoding, a.Rate)
			}
			if !bytes.Equal(a.Data, wav.Encode(enc, samples)) {
				t.Fatal("stored bytes differ from the encoded samples")
			}
			want := samples
			if enc != wav.PCM16 {
				want = decodeStored(enc, wav.Encode(enc, samples))
			}
			if !equal16(a.Samples, want) {
				t.Fatal("samples read back differ")
			}
		})
	}
}

func decodeStored(enc wav.Encoding, b []byte) []int16 {
	if enc == wav.PCMU {
		return decodeU(b)
	}
	return decodeA(b)
}

func TestRewriteKeepsEveryOtherByte(t *testing.T) {
	file := riff(chunk("LIST", []byte("INFOx")), chunk("fmt ", fmtBody(7, 1, 8000, 8)), chunk("data", []byte{1, 2, 3, 4, 5}), chunk("cue ", []byte{9, 9}))
	a, err := wav.Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the same samples give the same file", func(t *testing.T) {
		var out bytes.Buffer
		if err := a.Rewrite(&out, append([]byte(nil), a.Data...)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), file) {
			t.Fatal("rewritten file differs")
		}
	})
	t.Run("changed samples change only the samples", func(t *testing.T) {
		data := []byte{1, 2, 0xff, 4, 5}
		var out bytes.Buffer
		if err := a.Rewrite(&out, data); err != nil {
			t.Fatal(err)
		}
		diff := 0
		for i := range file {
			if out.Bytes()[i] != file[i] {
				diff++
			}
		}
		if out.Len() != len(file) || diff != 1 {
			t.Fatalf("%d bytes differ (file %d bytes, out %d); want exactly 1", diff, len(file), out.Len())
		}
	})
	t.Run("samples of another length are refused", func(t *testing.T) {
		if err := a.Rewrite(&bytes.Buffer{}, []byte{1}); err == nil {
			t.Fatal("accepted")
		}
	})
}

func TestParseEncoding(t *testing.T) {
	for in, want := range map[string]wav.Encoding{"pcm16": wav.PCM16, "PCMU": wav.PCMU, "alaw": wav.PCMA, "ulaw": wav.PCMU} {
		if got, err := wav.ParseEncoding(in); err != nil || got != want {
			t.Errorf("ParseEncoding(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := wav.ParseEncoding("gsm"); err == nil {
		t.Error("gsm accepted")
	}
}

// sine returns n samples of a sine of freq Hz at rate Hz with the given peak amplitude.
func sine(freq float64, rate, n int, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(math.Round(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))))
	}
	return out
}

func rms(x []int16) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(x)))
}

func TestResample(t *testing.T) {
	for _, rate := range []int{11025, 16000, 22050, 44100, 48000} {
		t.Run("a 1 kHz tone from "+itoa(rate)+" Hz matches the ideal 8 kHz tone", func(t *testing.T) {
			in := sine(1000, rate, rate, 10000) // one second
			out := wav.Resample(in, rate, 8000)
			if len(out) != 8000 {
				t.Fatalf("%d samples out, want 8000", len(out))
			}
			ideal := sine(1000, 8000, 8000, 10000)
			mid := out[400:7600] // away from the edges, where the filter runs out of input
			errSig := make([]int16, len(mid))
			for i := range mid {
				errSig[i] = mid[i] - ideal[400+i]
			}
			if snr := 20 * math.Log10(rms(ideal[400:7600])/rms(errSig)); snr < 60 {
				t.Fatalf("signal to error %.1f dB, want at least 60", snr)
			}
		})
		t.Run("a tone above 4 kHz from "+itoa(rate)+" Hz is removed, not folded", func(t *testing.T) {
			freq := 4600.0
			in := sine(freq, rate, rate, 10000)
			out := wav.Resample(in, rate, 8000)
			if att := 20 * math.Log10(rms(out[400:7600])/rms(in)); att > -60 {
				t.Fatalf("a %.0f Hz tone comes out at %.1f dB, want below -60 dB", freq, att)
			}
		})
	}
}

// TestResampledDTMFIsDetected makes every key at 16, 44.1 and 48 kHz, reads it through the WAV
// reader (which resamples to 8 kHz) and checks that the detector finds every key.
func TestResampledDTMFIsDetected(t *testing.T) {
	const keys = "123A456B789C*0#D"
	freqs := map[byte][2]float64{}
	for i := 0; i < len(keys); i++ {
		lo, hi, _ := dtmf.Frequencies(keys[i])
		freqs[keys[i]] = [2]float64{lo, hi}
	}
	for _, rate := range []int{16000, 44100, 48000} {
		t.Run(itoa(rate)+" Hz", func(t *testing.T) {
			var pcm []int16
			amp := dtmf.Amplitude(-20)
			on, off := rate*60/1000, rate*60/1000
			for i := 0; i < len(keys); i++ {
				f := freqs[keys[i]]
				for n := 0; n < on; n++ {
					ph := 2 * math.Pi * float64(n) / float64(rate)
					pcm = append(pcm, int16(math.Round(amp*(math.Sin(f[0]*ph)+math.Sin(f[1]*ph)))))
				}
				pcm = append(pcm, make([]int16, off)...)
			}
			file := riff(chunk("fmt ", fmtBody(1, 1, rate, 16)), chunk("data", pcmBytes(pcm...)))
			a, err := wav.Decode(file)
			if err != nil {
				t.Fatal(err)
			}
			if a.Rate != rate || a.Len() != len(pcm) {
				t.Fatalf("rate %d len %d, want %d and %d", a.Rate, a.Len(), rate, len(pcm))
			}
			if got := detect(a.Samples); got != keys {
				t.Fatalf("detected %q, want %q", got, keys)
			}
		})
	}
}

func detect(samples []int16) string {
	d := dtmf.NewDetector()
	var got []byte
	fn := func(e dtmf.Event) {
		if e.Kind == dtmf.KeyUp {
			got = append(got, e.Press.Key)
		}
	}
	d.Process(samples, fn)
	d.Flush(fn)
	return string(got)
}

func itoa(n int) string {
	b := []byte{}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestStoredIndex(t *testing.T) {
	a := &wav.Audio{Rate: 44100}
	if got := a.StoredIndex(8000); got != 44100 {
		t.Fatalf("StoredIndex(8000) at 44.1 kHz = %d, want 44100", got)
	}
	a.Rate = 8000
	if got := a.StoredIndex(123); got != 123 {
		t.Fatalf("StoredIndex(123) at 8 kHz = %d", got)
	}
}

func BenchmarkResample44100(b *testing.B) {
	in := sine(1000, 44100, 44100, 10000)
	b.ReportAllocs()
	for b.Loop() {
		wav.Resample(in, 44100, 8000)
	}
}
