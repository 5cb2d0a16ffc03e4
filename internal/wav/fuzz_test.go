package wav_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/hushpay/hushpay/internal/wav"
)

// FuzzRead checks that any input is either refused with ErrFormat or ErrUnsupported or read into
// a consistent Audio that rewrites back to the same bytes, and that the streaming Reader agrees.
func FuzzRead(f *testing.F) {
	f.Add(riff(chunk("fmt ", fmtBody(1, 1, 8000, 16)), chunk("data", pcmBytes(1, -2, 3))))
	f.Add(riff(chunk("fmt ", extensible(7, 16000, 8, ksTail)), chunk("data", []byte{1, 2, 3})))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := wav.Read(bytes.NewReader(data))
		streamed, serr := readAll(data, 1000)
		if err != nil {
			if !errors.Is(err, wav.ErrFormat) && !errors.Is(err, wav.ErrUnsupported) {
				t.Fatalf("error %v wraps neither ErrFormat nor ErrUnsupported", err)
			}
			if serr == nil {
				t.Fatalf("Read refused the file (%v) but Reader streamed it", err)
			}
			return
		}
		if serr != nil || !equal16(streamed, a.Samples) {
			t.Fatalf("Reader disagrees with Read: %v", serr)
		}
		if a.Len()*a.Encoding.BytesPerSample() != len(a.Data) {
			t.Fatalf("Len %d does not match %d data bytes", a.Len(), len(a.Data))
		}
		if want := int64(a.Len()) * 8000 / int64(a.Rate); int64(len(a.Samples)) != want {
			t.Fatalf("%d samples at 8 kHz from %d at %d Hz, want %d", len(a.Samples), a.Len(), a.Rate, want)
		}
		var out bytes.Buffer
		if err := a.Rewrite(&out, a.Data); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, out.Bytes()) {
			t.Fatal("rewriting the same samples changed the file")
		}
	})
}
