package apiload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

// Config says what to run. The zero value of a field takes the default named on it.
type Config struct {
	Database     string // "sqlite" (default) or "postgres"
	PostgresURL  string // server for "postgres": default HUSHPAY_TEST_POSTGRES, else DefaultPostgresURL
	PostgresPool int    // pool_max_conns of the store; 0 keeps the store's default
	Concurrency  int    // workers, each with one payment in flight at a time (default 500)
	// Payments is how many payments to take in all (default 10 per worker unless Duration is set);
	// Duration stops the run after that long. With both, whichever comes first.
	Payments int
	Duration time.Duration
	// Think is a pause before each step after create, as an agent and a caller would take (±50 %
	// at random, and each worker starts after a random delay); it is not part of any latency.
	// Zero drives the server flat out.
	Think time.Duration
	// ProcessorLatency is added to every sandbox processor call, like a gateway across a network.
	ProcessorLatency time.Duration
	// CPUProfile receives a CPU profile of the load phase (server and generator) when not nil.
	CPUProfile io.Writer
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
}

func (c *Config) setDefaults() error {
	if c.Database == "" {
		c.Database = "sqlite"
	}
	if c.Database != "sqlite" && c.Database != "postgres" {
		return errors.New("apiload: database must be sqlite or postgres")
	}
	if c.PostgresURL == "" {
		c.PostgresURL = os.Getenv("HUSHPAY_TEST_POSTGRES")
	}
	if c.PostgresURL == "" {
		c.PostgresURL = DefaultPostgresURL
	}
	if c.Concurrency == 0 {
		c.Concurrency = 500
	}
	if c.Payments == 0 && c.Duration == 0 {
		c.Payments = 10 * c.Concurrency
	}
	if c.Concurrency < 0 || c.Payments < 0 || c.Duration < 0 || c.Think < 0 || c.ProcessorLatency < 0 || c.PostgresPool < 0 {
		return errors.New("apiload: concurrency, payments, duration, think, processor latency and pool size must not be negative")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Run starts hushpay in process on a fresh database (a temporary SQLite file, or a new PostgreSQL
// schema dropped at the end), creates an agent API key and takes payments by link with
// cfg.Concurrency workers until cfg.Payments are done or cfg.Duration has passed.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "hushpay-apiload-")
	if err != nil {
		return nil, fmt.Errorf("apiload: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	database, dropSchema, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer dropSchema()
	srv, err := startServer(ctx, serverConfig{database: database, dataDir: dir,
		processorLatency: cfg.ProcessorLatency, logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	report, err := load(ctx, srv, cfg)
	if closeErr := srv.close(); closeErr != nil && err == nil {
		err = fmt.Errorf("apiload: stopping the server: %w", closeErr)
	}
	return report, err
}

// prepareDatabase returns the HUSHPAY_DATABASE value for the run and a func that removes what
// it made.
func prepareDatabase(ctx context.Context, cfg Config) (string, func(), error) {
	if cfg.Database == "sqlite" {
		return "sqlite:hushpay.db", func() {}, nil
	}
	sc, dsn, err := newSchema(ctx, cfg.PostgresURL, cfg.PostgresPool)
	if err != nil {
		return "", nil, err
	}
	drop := func() {
		if err := sc.drop(); err != nil {
			cfg.Logger.Warn("apiload: the schema was not dropped", "schema", sc.name, "err", err)
		}
	}
	return dsn, drop, nil
}

// load runs the workers against srv and gathers their measurements.
func load(ctx context.Context, srv *server, cfg Config) (*Report, error) {
	key, err := srv.agentKey(ctx)
	if err != nil {
		return nil, err
	}
	c := newClient(srv.base, key, cfg.Concurrency, time.Now())
	defer c.close()
	if cfg.CPUProfile != nil {
		if err := pprof.StartCPUProfile(cfg.CPUProfile); err != nil {
			return nil, fmt.Errorf("apiload: cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	return runWorkers(ctx, c, cfg), nil
}

// runWorkers runs cfg.Concurrency workers to the end and reports what they measured. At the end
// of cfg.Duration no payment starts, but the requests in flight finish.
func runWorkers(ctx context.Context, c *client, cfg Config) *Report {
	cpuBefore, cpuErr := processCPU()
	start := time.Now()
	stop, cancel := ctx, context.CancelFunc(func() {})
	if cfg.Duration > 0 {
		stop, cancel = context.WithTimeout(ctx, cfg.Duration)
	}
	defer cancel()
	rep := &Report{Database: cfg.Database, Concurrency: cfg.Concurrency, Think: cfg.Think}
	tickets := newTickets(cfg.Payments)
	workers := make([]*worker, cfg.Concurrency)
	steps := newRecorders()
	var wg sync.WaitGroup
	for i := range workers {
		workers[i] = newWorker(i, c, cfg.Think, steps)
		wg.Go(func() { workers[i].run(ctx, stop, tickets) })
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	if cpuAfter, err := processCPU(); err == nil && cpuErr == nil {
		rep.CPU, rep.CPUKnown = cpuAfter-cpuBefore, true
	}
	rep.LoadAvg = loadAverage()
	rep.gather(steps, workers)
	return rep
}

// gather adds the steps' statistics and the workers' counts to the report.
func (r *Report) gather(steps *recorders, workers []*worker) {
	for _, w := range workers {
		r.Succeeded += w.succeeded
		r.Failed += w.failed
		if r.FirstError == "" && w.firstErr != nil {
			r.FirstError = w.firstErr.Error()
		}
	}
	for s, rec := range steps {
		r.Steps = append(r.Steps, rec.stats(step(s).String(), r.Elapsed))
	}
}

// tickets hands out payment numbers until the limit (none when it is 0).
type tickets struct {
	limit int64
	next  atomic.Int64
}

func newTickets(limit int) *tickets { return &tickets{limit: int64(limit)} }

// take returns the next payment number, or false when all have been handed out.
func (t *tickets) take() (int, bool) {
	n := t.next.Add(1)
	return int(n), t.limit == 0 || n <= t.limit
}
