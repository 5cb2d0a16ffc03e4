package apiload

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Step names, in the order a worker takes them for each payment.
const (
	StepCreate = "create"  // POST /v1/payments with an Idempotency-Key
	StepLink   = "link"    // POST /v1/payments/{id}/link
	StepSubmit = "submit"  // POST /pay/{token}: the payment form with a test card
	StepGet    = "get"     // GET /v1/payments/{id}, which must answer succeeded
	StepFlow   = "payment" // the four requests of one payment, end to end (think time excluded)
)

// step indexes a worker's recorders; the HTTP steps come first, in the order they are taken.
type step int

const (
	create step = iota
	link
	submit
	get
	flow
	stepCount
)

func (s step) String() string {
	return [...]string{StepCreate, StepLink, StepSubmit, StepGet, StepFlow}[s]
}

// StepStats is what one step measured over a run. Latencies are of successful requests only,
// from writing the request to reading the whole response.
type StepStats struct {
	Step      string
	Count     int64   // successful requests
	Errors    int64   // failed requests (transport error, unexpected status or body)
	PerSecond float64 // successful requests per second of the run
	P50       time.Duration
	P90       time.Duration
	P99       time.Duration
	Max       time.Duration
}

// Report is the result of a run.
type Report struct {
	Database    string // "sqlite" or "postgres"
	Concurrency int
	Think       time.Duration // pause between a worker's steps
	Elapsed     time.Duration // from the first request to the last response
	Succeeded   int64         // payments that went through all four steps and read back succeeded
	Failed      int64         // payments abandoned at a failed step
	Steps       []StepStats   // create, link, submit, get, then the whole payment
	// CPU is the user+system CPU time this process used during the load. The server and the load
	// generator share the process, so it is the cost of both; CPUKnown is false where it cannot
	// be read (no /proc).
	CPU      time.Duration
	CPUKnown bool
	// LoadAvg is the machine's 1, 5 and 15 minute load averages at the end of the run, when known.
	LoadAvg []float64
	// FirstError describes the first failure seen (step and status, never a request's content).
	FirstError string
}

// Step returns the stats of the named step, or the zero StepStats.
func (r *Report) Step(name string) StepStats {
	for _, s := range r.Steps {
		if s.Step == name {
			return s
		}
	}
	return StepStats{}
}

// WriteTo prints the report as a table for people.
func (r *Report) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "database %s, %d workers, think %s: %d payments succeeded, %d failed in %s (%.1f payments/s)\n",
		r.Database, r.Concurrency, r.Think, r.Succeeded, r.Failed, r.Elapsed.Round(time.Millisecond),
		float64(r.Succeeded)/max(r.Elapsed.Seconds(), 1e-9))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\tcount\terrors\treq/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\t")
	for _, s := range r.Steps {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%s\t%s\t%s\t%s\t\n", s.Step, s.Count, s.Errors, s.PerSecond,
			millis(s.P50), millis(s.P90), millis(s.P99), millis(s.Max))
	}
	tw.Flush()
	b.WriteString(r.footer())
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func (r *Report) footer() string {
	var b strings.Builder
	if r.CPUKnown {
		fmt.Fprintf(&b, "process CPU (server and load generator together, one process): %s = %.2f cores busy on average\n",
			r.CPU.Round(time.Millisecond), r.CPU.Seconds()/max(r.Elapsed.Seconds(), 1e-9))
	}
	if len(r.LoadAvg) == 3 {
		fmt.Fprintf(&b, "load average at the end: %.2f %.2f %.2f\n", r.LoadAvg[0], r.LoadAvg[1], r.LoadAvg[2])
	}
	if r.FirstError != "" {
		fmt.Fprintf(&b, "first error: %s\n", r.FirstError)
	}
	return b.String()
}

func millis(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
}
