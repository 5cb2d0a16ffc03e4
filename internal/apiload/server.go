package apiload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/api"
	"github.com/hushpay/hushpay/internal/apikey"
	"github.com/hushpay/hushpay/internal/audit"
	"github.com/hushpay/hushpay/internal/payments"
	"github.com/hushpay/hushpay/internal/processor"
	"github.com/hushpay/hushpay/internal/processor/sandbox"
	"github.com/hushpay/hushpay/internal/store"
	"github.com/hushpay/hushpay/internal/vault"
	"github.com/hushpay/hushpay/internal/web"
)

// unlimitedPageRate lifts the payment pages' per-address rate limit: every request of the load
// comes from 127.0.0.1, which the default of 30 a minute would turn into 429 answers.
const unlimitedPageRate = 1 << 30

// server is hushpay's HTTP stack running in this process on a loopback port.
type server struct {
	base     string // http://127.0.0.1:PORT
	store    hushpay.Store
	audit    *audit.Log
	payments *payments.Service
	http     *http.Server
	stopRun  context.CancelFunc
	served   chan error
}

// serverConfig is what startServer needs.
type serverConfig struct {
	database         string // a HUSHPAY_DATABASE value
	dataDir          string // the SQLite file and the development key-encryption key live here
	processorLatency time.Duration
	logger           *slog.Logger
}

// startServer wires the store, vault, audit trail, sandbox processor, payment service, API and
// pages as `hushpay serve` does, and serves them on a free loopback port.
func startServer(ctx context.Context, cfg serverConfig) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("apiload: listen: %w", err)
	}
	s := &server{base: "http://" + ln.Addr().String(), served: make(chan error, 1)}
	if err := s.open(ctx, cfg, s.base); err != nil {
		ln.Close()
		return nil, err
	}
	s.http = &http.Server{Handler: s.handler(cfg.logger), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	runCtx, stop := context.WithCancel(context.Background())
	s.stopRun = stop
	go func() { _ = s.payments.Run(runCtx) }()
	go func() { s.served <- s.http.Serve(ln) }()
	return s, nil
}

// open opens the store (with its migrations), the audit trail, the vault and the payment service,
// whose links start with publicURL.
func (s *server) open(ctx context.Context, cfg serverConfig, publicURL string) error {
	st, err := store.Open(ctx, cfg.database, cfg.dataDir)
	if err != nil {
		return fmt.Errorf("apiload: store: %w", err)
	}
	s.store, s.audit = st, audit.New(st, hushpay.SystemClock{})
	s.payments, err = newPayments(ctx, st, s.audit, cfg, publicURL)
	if err != nil {
		st.Close()
		return err
	}
	return nil
}

func newPayments(ctx context.Context, st hushpay.Store, log *audit.Log, cfg serverConfig, publicURL string) (*payments.Service, error) {
	ring, _, err := vault.LoadOrCreateDevKeyRing(cfg.dataDir)
	if err != nil {
		return nil, fmt.Errorf("apiload: key ring: %w", err)
	}
	v, err := vault.New(ctx, st, ring, hushpay.SystemClock{})
	if err != nil {
		return nil, fmt.Errorf("apiload: vault: %w", err)
	}
	procs, err := processor.NewRegistry("sandbox", sandbox.New(sandbox.Options{Latency: cfg.processorLatency}))
	if err != nil {
		return nil, fmt.Errorf("apiload: processor: %w", err)
	}
	return payments.New(payments.Config{Store: st, Vault: v, Processors: procs,
		Audit: log, Logger: cfg.logger, PublicURL: publicURL, Merchant: "hushpay load test"})
}

// handler routes /pay/ and /static/ to the pages and the rest to the API, as serve does.
func (s *server) handler(log *slog.Logger) http.Handler {
	apiHandler := api.New(api.Config{Payments: s.payments, Auth: apikey.NewAuthenticator(s.store),
		Idempotency: s.store, Ready: s.store.Ping, Logger: log})
	pages := web.New(web.Config{Payments: s.payments, Logger: log, RatePerMinute: unlimitedPageRate})
	mux := http.NewServeMux()
	mux.Handle("/pay/", pages)
	mux.Handle("/static/", pages)
	mux.Handle("/", apiHandler)
	return mux
}

// agentKey creates an API key with the agent role in the default tenant, as `hushpay apikey
// create --role agent` does, and returns its secret.
func (s *server) agentKey(ctx context.Context) (string, error) {
	secret, _, err := apikey.Create(ctx, s.store, s.audit, hushpay.DefaultTenant, hushpay.RoleAgent, "apiload", time.Now())
	if err != nil {
		return "", fmt.Errorf("apiload: api key: %w", err)
	}
	return secret, nil
}

// close stops serving (letting in-flight requests finish), the payment service and the store.
func (s *server) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if serveErr := <-s.served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	s.stopRun()
	s.payments.Close()
	return errors.Join(err, s.store.Close())
}
