package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hushpay/hushpay/internal/api"
	"github.com/hushpay/hushpay/internal/apikey"
	"github.com/hushpay/hushpay/internal/store"
	"github.com/hushpay/hushpay/internal/web"
)

// shutdownGrace is how long in-flight requests get to finish on SIGINT/SIGTERM.
const shutdownGrace = 30 * time.Second

func cmdServe(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs := newServiceFlagSet("serve", "serve [--config FILE]", stderr)
	cfg, err := parseConfig(fs, args)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()

	apiHandler := api.New(api.Config{Payments: a.payments, Auth: apikey.NewAuthenticator(a.store),
		Idempotency: a.store, Ready: a.store.Ping, Logger: log})
	pages := web.New(web.Config{Payments: a.payments, Logger: log, Users: a.users,
		SecureCookies: strings.HasPrefix(cfg.BaseURL(), "https://")})
	mux := http.NewServeMux()
	for _, path := range []string{"/pay/", "/static/", "/signin", "/signout", "/enrol/", "/agent", "/agent/"} {
		mux.Handle(path, pages)
	}
	mux.Handle("/", apiHandler)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute,
		ErrorLog: nil}

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	runCtx, stopRun := context.WithCancel(context.Background())
	defer stopRun()
	go a.payments.Run(runCtx)
	clusterDone := make(chan struct{})
	go func() { defer close(clusterDone); a.runCluster(runCtx) }()
	defer func() { stopRun(); <-clusterDone }()

	stopVoice, err := startVoice(ctx, a)
	if err != nil {
		return err
	}
	defer stopVoice()

	errc := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	log.Info("hushpay is serving", "http", ln.Addr().String(), "public_url", cfg.BaseURL(),
		"database", store.Describe(cfg.DatabaseURL()), "processor", cfg.Processor)

	select {
	case err := <-errc:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("shutdown incomplete", "err", err)
	}
	stopRun()
	log.Info("stopped")
	return nil
}
