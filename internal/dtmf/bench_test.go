package dtmf

import (
	"testing"
)

func benchmarkFrames(b *testing.B, signal []int16) {
	d := NewDetector()
	discard := func(Event) {}
	frames := len(signal) / 160
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		d.Process(signal[i*160:(i+1)*160], discard)
		i++
		if i == frames {
			i = 0
		}
	}
}

// BenchmarkDetector20ms measures one 20 ms frame (160 samples) of one stream.
func BenchmarkDetector20ms(b *testing.B) {
	tones := keySequence("1234567890", flat(-15), 0, 100*ms, 60*ms)
	b.Run("silence", func(b *testing.B) { benchmarkFrames(b, make([]int16, 8000)) })
	b.Run("noise", func(b *testing.B) { benchmarkFrames(b, addNoise(make([]int16, 8000), tonePower(-20), 1)) })
	b.Run("tones", func(b *testing.B) { benchmarkFrames(b, tones) })
	b.Run("speech", func(b *testing.B) {
		s := speak(b, "en", "50", "160", speechTexts["en"])
		benchmarkFrames(b, scaleTo(s, -15))
	})
}
