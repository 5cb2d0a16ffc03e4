package dtmf

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// eventsOf runs a fresh detector over samples in frames of the given sizes (cycled) and returns
// every event with the number of samples given when it was reported.
func eventsOf(samples []int16, sizes ...int) (events []Event, at []int64) {
	d := NewDetector()
	var fed int64
	collect := func(e Event) {
		events = append(events, e)
		at = append(at, fed)
	}
	for i := 0; len(samples) > 0; i++ {
		n := min(sizes[i%len(sizes)], len(samples))
		fed += int64(n)
		d.Process(samples[:n], collect)
		samples = samples[n:]
	}
	d.Flush(collect)
	return events, at
}

func TestPressIsPlacedAndReportedInTime(t *testing.T) {
	const tolerance = 5 * ms // Start and End within 5 ms of the tone's edges
	const maxLatency = 40 * ms
	var worstLatency, worstStart, worstEnd int64
	defer func() {
		t.Logf("worst: KeyDown %.1f ms after the onset, Start off by %.1f ms, End by %.1f ms",
			float64(worstLatency)/ms, float64(worstStart)/ms, float64(worstEnd)/ms)
	}()
	for _, key := range []byte(allKeys) {
		for _, lead := range []int{0, 7, 19, 33, 50, 160, 401} {
			for _, lv := range []float64{-6, -36} {
				on := 60 * ms
				s := keySequence(string(key), flat(lv), lead, on, 50*ms)
				events, at := eventsOf(s, ms) // 1 ms frames time the report to the millisecond
				if len(events) != 2 || events[0].Kind != KeyDown || events[1].Kind != KeyUp {
					t.Errorf("%c lead %d at %g dBm0: events %v, want KeyDown then KeyUp", key, lead, lv, events)
					continue
				}
				down, up := events[0].Press, events[1].Press
				if down.Key != key || up.Key != key || down.End != -1 || down.Start != up.Start {
					t.Errorf("%c lead %d: presses %+v, %+v", key, lead, down, up)
				}
				worstLatency = max(worstLatency, at[0]-int64(lead))
				worstStart = max(worstStart, abs(up.Start-int64(lead)))
				worstEnd = max(worstEnd, abs(up.End-int64(lead+on)))
				if d := at[0] - int64(lead); d > maxLatency {
					t.Errorf("%c lead %d at %g dBm0: KeyDown %d samples after the onset, want at most %d", key, lead, lv, d, maxLatency)
				}
				if d := abs(up.Start - int64(lead)); d > tolerance {
					t.Errorf("%c lead %d at %g dBm0: Start %d, tone starts at %d", key, lead, lv, up.Start, lead)
				}
				if d := abs(up.End - int64(lead+on)); d > tolerance {
					t.Errorf("%c lead %d at %g dBm0: End %d, tone ends at %d", key, lead, lv, up.End, lead+on)
				}
				if math.Abs(up.Level-lv) > 1 {
					t.Errorf("%c at %g dBm0: Level %.2f", key, lv, up.Level)
				}
			}
		}
	}
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestFrameSizeDoesNotChangeTheResult(t *testing.T) {
	s := addNoise(keySequence("159D#*0", flat(-20), 123, 70*ms, 45*ms), tonePower(-40), 7)
	want, _ := eventsOf(s, 160)
	r := rand.New(rand.NewPCG(1, 2))
	sizes := make([]int, 50)
	for i := range sizes {
		sizes[i] = 1 + r.IntN(400)
	}
	for _, frames := range [][]int{{1}, {51}, {80}, {1000}, sizes} {
		got, _ := eventsOf(s, frames...)
		if !slices.Equal(got, want) {
			t.Errorf("frames %v...: events differ\n got %v\nwant %v", frames[:1], got, want)
		}
	}
	if len(want) != 14 {
		t.Errorf("got %d events, want 14", len(want))
	}
}

func TestFlushEndsAPressAtTheEndOfTheStream(t *testing.T) {
	s := keySequence("7", flat(-10), 80, 100*ms, 0)
	d := NewDetector()
	var events []Event
	d.Process(s, func(e Event) { events = append(events, e) })
	if len(events) != 1 || events[0].Kind != KeyDown {
		t.Fatalf("before Flush: %v, want one KeyDown", events)
	}
	d.Flush(func(e Event) { events = append(events, e) })
	if len(events) != 2 || events[1].Kind != KeyUp || events[1].Press.End != int64(len(s)) {
		t.Fatalf("after Flush: %v, want KeyUp ending at %d", events, len(s))
	}
	d.Flush(func(e Event) { t.Errorf("second Flush reported %v", e) })
}

func TestResetForgetsThePressAndTheClock(t *testing.T) {
	d := NewDetector()
	d.Process(keySequence("3", flat(-10), 0, 100*ms, 0), func(Event) {})
	d.Reset()
	var events []Event
	s := keySequence("9", flat(-10), 40, 60*ms, 60*ms)
	d.Process(s, func(e Event) { events = append(events, e) })
	d.Flush(func(e Event) { events = append(events, e) })
	if len(events) != 2 || events[1].Press.Key != '9' || abs(events[1].Press.Start-40) > 5*ms {
		t.Fatalf("after Reset: %v, want one press of 9 starting near sample 40", events)
	}
}

func TestPressesAreWellFormed(t *testing.T) {
	s := addNoise(keySequence("0123456789*#ABCD", flat(-25), 300, 45*ms, 40*ms), tonePower(-40), 3)
	events, _ := eventsOf(s, 160)
	var open bool
	for _, e := range events {
		switch e.Kind {
		case KeyDown:
			if open || e.Press.End != -1 || !IsKey(e.Press.Key) {
				t.Errorf("bad KeyDown %+v", e.Press)
			}
			open = true
		case KeyUp:
			if !open || e.Press.Start >= e.Press.End || !IsKey(e.Press.Key) {
				t.Errorf("bad KeyUp %+v", e.Press)
			}
			open = false
		default:
			t.Errorf("unknown kind %v", e.Kind)
		}
	}
	if len(events) != 32 {
		t.Errorf("got %d events, want 32", len(events))
	}
}

func TestEventKindString(t *testing.T) {
	if KeyDown.String() != "KeyDown" || KeyUp.String() != "KeyUp" || EventKind(9).String() != "EventKind(?)" {
		t.Error("EventKind.String")
	}
}

func TestProcessDoesNotAllocate(t *testing.T) {
	s := keySequence("12", flat(-10), 0, 80*ms, 80*ms)
	d := NewDetector()
	fn := func(Event) {}
	i := 0
	allocs := testing.AllocsPerRun(100, func() {
		d.Process(s[i*160%len(s):][:160], fn)
		i++
	})
	if allocs != 0 {
		t.Errorf("Process allocates %.1f times per frame", allocs)
	}
}

func TestDCOffsetDoesNotHideKeys(t *testing.T) {
	s := keySequence(allKeys, flat(-33), 0, 60*ms, 60*ms)
	for i := range s {
		s[i] += 1500
	}
	if got := keysOf(detectAll(s)); got != allKeys {
		t.Errorf("with a DC offset of 1500: found %q, want %q", got, allKeys)
	}
}

// TestPressIsReportedInTimeAtRandomPhases repeats the timing check on presses drawn at random
// within the limits the detector must accept: key, tone phases, onset, 40-100 ms long, level
// −3..−36 dBm0, twist −8..+4 dB, each tone within ±1.5%, through a random codec, in 8-sample
// frames. Every press must be found, reported within 40 ms of its onset and placed within 5 ms.
func TestPressIsReportedInTimeAtRandomPhases(t *testing.T) {
	const tolerance, maxLatency = 5 * ms, 40 * ms
	r := rand.New(rand.NewPCG(21, 22))
	var worstLatency, worstStart, worstEnd int64
	defer func() {
		t.Logf("worst: KeyDown %.1f ms after the onset, Start off by %.1f ms, End by %.1f ms",
			float64(worstLatency)/ms, float64(worstStart)/ms, float64(worstEnd)/ms)
	}()
	for i := range 1000 {
		key := allKeys[r.IntN(len(allKeys))]
		l, h, _ := Frequencies(key)
		lead, on := 200+r.IntN(200), 40*ms+r.IntN(60*ms)
		lv, tw := -3-33*r.Float64(), -8+12*r.Float64()
		lo := tone{l * (1 + 0.03*(r.Float64()-0.5)), lv - tw/2}
		hi := tone{h * (1 + 0.03*(r.Float64()-0.5)), lv + tw/2}
		s := randomPair(make([]int16, lead), on, lo, hi, r)
		s = codecs()[r.IntN(3)].apply(append(s, make([]int16, 100*ms)...))
		events, at := eventsOf(s, 8)
		if len(events) != 2 || events[0].Kind != KeyDown || events[1].Kind != KeyUp || events[1].Press.Key != key {
			t.Errorf("press %d (%c, %d ms, %.1f dBm0, twist %+.1f): events %v", i, key, on/ms, lv, tw, events)
			continue
		}
		up := events[1].Press
		latency, startErr, endErr := at[0]-int64(lead), abs(up.Start-int64(lead)), abs(up.End-int64(lead+on))
		worstLatency, worstStart, worstEnd = max(worstLatency, latency), max(worstStart, startErr), max(worstEnd, endErr)
		if latency > maxLatency || startErr > tolerance || endErr > tolerance {
			t.Errorf("press %d (%c, %.1f dBm0, twist %+.1f): KeyDown %d samples after the onset, Start off by %d, End by %d",
				i, key, lv, tw, latency, startErr, endErr)
		}
	}
}
