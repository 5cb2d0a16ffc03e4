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

// BenchmarkNaiveGoertzel20ms is the yardstick: the int16 frame converted once, then eight plain
// Goertzel filters over all 160 samples, four at a time so the processor can overlap them. That
// is the core of a detector that gates nothing; the detector should cost less per frame.
func BenchmarkNaiveGoertzel20ms(b *testing.B) {
	pcm := longSpeech(b, 160)
	var coef [8]float32
	for i := range 8 {
		coef[i] = float32(2 * math.Cos(2*math.Pi*groupFreq(i)/SampleRate))
	}
	var frame [160]float32
	var sink float32
	b.ReportAllocs()
	for b.Loop() {
		for i, v := range pcm {
			frame[i] = float32(v)
		}
		for g := 0; g < 8; g += 4 {
			c0, c1, c2, c3 := coef[g], coef[g+1], coef[g+2], coef[g+3]
			var a1, a2, b1, b2, e1, e2, f1, f2 float32
			for _, x := range frame {
				a1, a2 = (x-a2)+c0*a1, a1 // written as the detector's filters are
				b1, b2 = (x-b2)+c1*b1, b1
				e1, e2 = (x-e2)+c2*e1, e1
				f1, f2 = (x-f2)+c3*f1, f1
			}
			sink += a1*a1 + a2*a2 - c0*a1*a2 + b1*b1 + b2*b2 - c1*b1*b2 +
				e1*e1 + e2*e2 - c2*e1*e2 + f1*f1 + f2*f2 - c3*f1*f2
		}
	}
	_ = sink
}
