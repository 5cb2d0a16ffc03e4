package dtmf

import (
	"math"
	"testing"
)

// benchmarkFrames feeds signal to one detector 160 samples (20 ms) at a time, one frame per
// iteration, cycling through the signal.
func benchmarkFrames(b *testing.B, signal []int16) {
	d := NewDetector()
	discard := func(Event) {}
	frames := len(signal) / 160
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Process(signal[i*160:(i+1)*160], discard)
		i++
		if i == frames {
			i = 0
		}
	}
}

// BenchmarkDetector20ms measures the cost of one 20 ms frame (160 samples) of one stream.
func BenchmarkDetector20ms(b *testing.B) {
	b.Run("silence", func(b *testing.B) { benchmarkFrames(b, make([]int16, 8000)) })
	b.Run("noise-30dBm0", func(b *testing.B) { benchmarkFrames(b, addNoise(make([]int16, 8000), tonePower(-30), 1)) })
	b.Run("speech", func(b *testing.B) { benchmarkFrames(b, longSpeech(b, 30*SampleRate)) })
	b.Run("tones", func(b *testing.B) { benchmarkFrames(b, keySequence("1234567890", flat(-15), 0, 100*ms, 60*ms)) })
}

// BenchmarkDetectorSpeechFile runs a fresh detector over 30 s of speech per iteration, the way
// `hushpay dtmf detect` reads a recording.
func BenchmarkDetectorSpeechFile30s(b *testing.B) {
	speech := longSpeech(b, 30*SampleRate)
	b.ReportAllocs()
	b.SetBytes(int64(2 * len(speech)))
	for b.Loop() {
		d := NewDetector()
		d.Process(speech, func(Event) {})
		d.Flush(func(Event) {})
	}
}

// BenchmarkNaiveGoertzel20ms is the yardstick: eight plain Goertzel filters over a 160-sample
// frame, the core of a detector that does no gating. The detector should cost less per frame.
func BenchmarkNaiveGoertzel20ms(b *testing.B) {
	frame := longSpeech(b, 160)
	var coef [8]float32
	for i := range 8 {
		coef[i] = float32(2 * math.Cos(2*math.Pi*groupFreq(i)/SampleRate))
	}
	var sink float32
	b.ReportAllocs()
	for b.Loop() {
		for k := range 8 {
			var s1, s2 float32
			c := coef[k]
			for _, v := range frame {
				s1, s2 = float32(v)+c*s1-s2, s1
			}
			sink += s1*s1 + s2*s2 - c*s1*s2
		}
	}
	_ = sink
}
