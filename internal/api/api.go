package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/apikey"
	"github.com/hushpay/hushpay/internal/payments"
)

// MaxBodyBytes is the largest request body accepted; a larger one is answered 413.
const MaxBodyBytes = 1 << 20

// DefaultHeartbeat is how often an idle event stream sends a comment to keep proxies from closing it.
const DefaultHeartbeat = 15 * time.Second

// Payments is the payment service as the API uses it; *payments.Service implements it.
type Payments interface {
	Create(ctx context.Context, p hushpay.Principal, req payments.CreateRequest) (*hushpay.Payment, error)
	Get(ctx context.Context, p hushpay.Principal, id string) (*hushpay.Payment, error)
	List(ctx context.Context, p hushpay.Principal, f hushpay.PaymentFilter) (hushpay.Page[*hushpay.Payment], error)
	MoveCapture(ctx context.Context, p hushpay.Principal, id string, field hushpay.FieldName) (*hushpay.Payment, error)
	ResetField(ctx context.Context, p hushpay.Principal, id string, field hushpay.FieldName) (*hushpay.Payment, error)
	Submit(ctx context.Context, p hushpay.Principal, id string) (*hushpay.Payment, error)
	Cancel(ctx context.Context, p hushpay.Principal, id string) (*hushpay.Payment, error)
	Refund(ctx context.Context, p hushpay.Principal, id string, amount *int64) (*hushpay.Payment, error)
	CreateLink(ctx context.Context, p hushpay.Principal, id string, req payments.LinkRequest) (*payments.LinkResult, error)
	Subscribe(ctx context.Context, p hushpay.Principal, id string) (<-chan hushpay.Event, error)
	GetCall(ctx context.Context, p hushpay.Principal, id string) (*hushpay.Call, error)
	ListCalls(ctx context.Context, p hushpay.Principal, f hushpay.CallFilter) (hushpay.Page[*hushpay.Call], error)
}

var _ Payments = (*payments.Service)(nil)

// Config is what the API needs. Payments, Auth and Idempotency are required; the rest have defaults.
type Config struct {
	Payments    Payments                 // the payment service (a *payments.Service)
	Auth        *apikey.Authenticator    // checks bearer keys
	Idempotency hushpay.IdempotencyStore // remembers responses to requests with an Idempotency-Key
	// Ready reports whether the process can serve (the database answers); nil means always ready.
	Ready func(ctx context.Context) error
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// Metrics is the registry /metrics serves and the API's collectors join; nil makes a new one
	// with the Go and process collectors.
	Metrics *prometheus.Registry
	// Clock stamps idempotency records; nil is the system clock.
	Clock hushpay.Clock
	// Heartbeat is the interval of keep-alive comments on event streams; zero means DefaultHeartbeat.
	Heartbeat time.Duration
}

// server holds the configured dependencies of the handlers.
type server struct {
	payments  Payments
	auth      *apikey.Authenticator
	idem      *idempotency
	ready     func(ctx context.Context) error
	log       *slog.Logger
	metrics   *metrics
	registry  *prometheus.Registry
	clock     hushpay.Clock
	heartbeat time.Duration
}

// New returns the API's handler. It panics if a required dependency is missing, since that is a
// wiring mistake found at start.
func New(cfg Config) http.Handler {
	if cfg.Payments == nil || cfg.Auth == nil || cfg.Idempotency == nil {
		panic("api.New: Payments, Auth and Idempotency are required")
	}
	s := newServer(cfg)
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.chain(rt))
	}
	return s.outer(mux)
}

func newServer(cfg Config) *server {
	s := &server{
		payments:  cfg.Payments,
		auth:      cfg.Auth,
		ready:     cfg.Ready,
		log:       cfg.Logger,
		registry:  cfg.Metrics,
		clock:     cfg.Clock,
		heartbeat: cfg.Heartbeat,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.clock == nil {
		s.clock = hushpay.SystemClock{}
	}
	if s.heartbeat <= 0 {
		s.heartbeat = DefaultHeartbeat
	}
	if s.registry == nil {
		s.registry = newRegistry()
	}
	s.metrics = newMetrics(s.registry)
	s.idem = newIdempotency(cfg.Idempotency, s.clock)
	return s
}
