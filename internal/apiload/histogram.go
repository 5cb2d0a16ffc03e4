package apiload

import (
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds: latencies are recorded in microseconds, from 1 µs to 2 minutes, to three
// significant figures (an error of at most 0.1 %).
const (
	lowestMicros  = 1
	highestMicros = int64(2 * time.Minute / time.Microsecond)
	sigFigs       = 3
)

// stepRecorder is the latencies and errors of one step, shared by the workers. (One histogram
// per worker would cost 150 KB each, 75 MB a step at 500 workers, for no gain: a record takes
// the lock for well under a microsecond, against requests of a millisecond or more.)
type stepRecorder struct {
	mu     sync.Mutex
	hist   *hdrhistogram.Histogram
	errors int64
}

func newStepRecorder() *stepRecorder {
	return &stepRecorder{hist: hdrhistogram.New(lowestMicros, highestMicros, sigFigs)}
}

// record adds one request's latency; a failed request counts as an error and its latency is kept
// out of the percentiles.
func (r *stepRecorder) record(d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.errors++
		return
	}
	// RecordValue fails only above highestMicros; clamp so a stuck request still counts.
	_ = r.hist.RecordValue(min(max(d.Microseconds(), lowestMicros), highestMicros))
}

// stats summarizes the recorder for a run that lasted elapsed.
func (r *stepRecorder) stats(step string, elapsed time.Duration) StepStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	micros := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	st := StepStats{Step: step, Count: r.hist.TotalCount(), Errors: r.errors}
	if st.Count == 0 {
		return st
	}
	if elapsed > 0 {
		st.PerSecond = float64(st.Count) / elapsed.Seconds()
	}
	st.P50 = micros(r.hist.ValueAtPercentile(50))
	st.P90 = micros(r.hist.ValueAtPercentile(90))
	st.P99 = micros(r.hist.ValueAtPercentile(99))
	st.Max = micros(r.hist.Max())
	return st
}

// recorders holds one stepRecorder per step.
type recorders [stepCount]*stepRecorder

func newRecorders() *recorders {
	var rs recorders
	for s := range rs {
		rs[s] = newStepRecorder()
	}
	return &rs
}
