package apiload

import (
	"time"

	"github.com/prometheus/procfs"
)

// processCPU returns the user+system CPU time this process has used (utime+stime of
// /proc/self/stat).
func processCPU() (time.Duration, error) {
	p, err := procfs.Self()
	if err != nil {
		return 0, err
	}
	st, err := p.Stat()
	if err != nil {
		return 0, err
	}
	return time.Duration(st.CPUTime() * float64(time.Second)), nil
}

// loadAverage returns the machine's 1, 5 and 15 minute load averages, or nil where unknown.
func loadAverage() []float64 {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return nil
	}
	la, err := fs.LoadAvg()
	if err != nil {
		return nil
	}
	return []float64{la.Load1, la.Load5, la.Load15}
}
