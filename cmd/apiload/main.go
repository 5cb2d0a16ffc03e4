package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/hushpay/hushpay/internal/apiload"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apiload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("apiload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg apiload.Config
	fs.StringVar(&cfg.Database, "database", "sqlite", "`store`: sqlite (a temporary file) or postgres (a fresh schema, dropped at the end)")
	fs.StringVar(&cfg.PostgresURL, "postgres", "", "PostgreSQL server `URL` (default HUSHPAY_TEST_POSTGRES, else "+apiload.DefaultPostgresURL+")")
	fs.IntVar(&cfg.PostgresPool, "pool", 0, "PostgreSQL pool size `N` (pool_max_conns); 0 keeps the store's default")
	fs.IntVar(&cfg.Concurrency, "concurrency", 500, "workers, each with one payment in flight")
	fs.IntVar(&cfg.Payments, "payments", 0, "payments to take in all (default 10 per worker, or unlimited with --duration)")
	fs.DurationVar(&cfg.Duration, "duration", 0, "stop after this long (0: when --payments are done)")
	fs.DurationVar(&cfg.Think, "think", 0, "pause before each step after create, like a person (0: flat out)")
	fs.DurationVar(&cfg.ProcessorLatency, "processor-latency", 0, "added to every sandbox processor call, like a network gateway")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the load phase to `file`")
	logLevel := fs.String("log-level", "warn", "server log `level` on stderr (debug, info, warn, error)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		cfg.CPUProfile = f
	}
	report, err := apiload.Run(ctx, cfg)
	if err != nil {
		return err
	}
	_, err = report.WriteTo(stdout)
	return err
}
