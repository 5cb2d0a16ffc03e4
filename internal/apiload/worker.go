package apiload

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// worker takes one payment at a time through the four steps and records each step's latency.
type worker struct {
	id        int
	c         *client
	think     time.Duration
	steps     *recorders // shared by all workers
	succeeded int64
	failed    int64
	firstErr  error
}

func newWorker(id int, c *client, think time.Duration, steps *recorders) *worker {
	return &worker{id: id, c: c, think: think, steps: steps}
}

// run takes payments until the tickets run out or stop ends. Requests run under ctx, so the end
// of the run's duration (stop) never cuts a request short: it only ends think pauses and keeps
// new payments from starting. With a think time, the worker first waits a random part of one
// payment's pauses, so that the workers do not move in step.
func (w *worker) run(ctx, stop context.Context, t *tickets) {
	if w.think > 0 && sleep(stop, rand.N(3*w.think)) != nil {
		return
	}
	for stop.Err() == nil {
		seq, ok := t.take()
		if !ok {
			return
		}
		w.pay(ctx, stop, seq)
	}
}

// pay takes one payment by link; a failed step abandons it. A payment cut short in a think
// pause by stop, or in a request by ctx, is neither a success nor a failure.
func (w *worker) pay(ctx, stop context.Context, seq int) {
	var busy time.Duration
	var id, path string
	err := w.timed(ctx, stop, create, &busy, func() (err error) { id, err = w.c.createPayment(ctx, w.id, seq); return err })
	if err == nil {
		err = w.timed(ctx, stop, link, &busy, func() (err error) { path, err = w.c.createLink(ctx, id); return err })
	}
	if err == nil {
		err = w.timed(ctx, stop, submit, &busy, func() error { return w.c.submitForm(ctx, path) })
	}
	if err == nil {
		err = w.timed(ctx, stop, get, &busy, func() error { return w.c.getPayment(ctx, id) })
	}
	switch {
	case err == nil:
		w.succeeded++
		w.steps[flow].record(busy, nil)
	case !errors.Is(err, errCutShort):
		w.failed++
		w.steps[flow].record(0, err)
	}
}

// errCutShort marks a step that did not run, or whose request was cancelled, because the run ended.
var errCutShort = errors.New("the run ended")

// timed pauses for the think time (except before create), runs one step and records it. A step
// cut short by the end of the run is not recorded. Each pause is the think time ±50 %, at random.
func (w *worker) timed(ctx, stop context.Context, s step, busy *time.Duration, do func() error) error {
	if s != create && w.think > 0 {
		if sleep(stop, w.think/2+rand.N(w.think)) != nil {
			return errCutShort
		}
	}
	start := time.Now()
	err := do()
	d := time.Since(start)
	if ctx.Err() != nil {
		return errCutShort
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", s, err)
		if w.firstErr == nil {
			w.firstErr = err
		}
	}
	w.steps[s].record(d, err)
	*busy += d
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
