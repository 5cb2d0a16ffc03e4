package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/hushpay/hushpay/internal/b2bua"
	"github.com/hushpay/hushpay/internal/config"
	"github.com/hushpay/hushpay/internal/demo"
	"github.com/hushpay/hushpay/internal/media"
)

// cmdDemo runs `hushpay demo`: hushpay opened as serve opens it, on a temporary data dir (SQLite,
// development key, sandbox processor), and the demo's call and payment through it on loopback.
// HUSHPAY_* settings are not read: the demo needs nothing configured and touches nothing of a
// real installation.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dtmfFlag := fs.String("dtmf", string(demo.Both), "how the caller sends keys: inband, rfc4733 or both")
	verbose := fs.Bool("v", false, "show hushpay's log (info level) on stderr")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: hushpay demo [--dtmf inband|rfc4733|both] [-v]\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	transport, err := demo.ParseTransport(*dtmfFlag)
	if err != nil {
		return fmt.Errorf("%w: --dtmf: %v", errUsage, err)
	}
	dir, err := os.MkdirTemp("", "hushpay-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	cfg, err := config.Load("", func(name string) string {
		if name == "HUSHPAY_DATA_DIR" {
			return dir
		}
		return ""
	})
	if err != nil {
		return err
	}
	level := slog.LevelError
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	low, high, err := cfg.RTPPortRange()
	if err != nil {
		return err
	}
	ports, err := media.NewPortAllocator(low, high)
	if err != nil {
		return err
	}
	b2bua.UseLibraryLogger(log) // sipgo's own lines: messages only, never a SIP message
	return demo.Run(ctx, demo.Config{Payments: a.payments, Calls: a.store, Ports: ports, Logger: log,
		DTMF: transport, Out: stdout})
}
