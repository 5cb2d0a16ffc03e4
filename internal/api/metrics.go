package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the API's collectors. Labels are the route pattern, the method and the status: never
// an id, a query value or anything else a client chose.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	streams  prometheus.Gauge
}

func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

func newMetrics(reg prometheus.Registerer) *metrics {
	return &metrics{
		requests: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hushpay_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status code.",
		}, []string{"route", "method", "code"})),
		duration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hushpay_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request (to the end of the stream for events), by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10, 60},
		}, []string{"route", "method"})),
		streams: register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hushpay_http_event_streams",
			Help: "Server-Sent Event streams open now.",
		})),
	}
}

// register adds c to reg, or returns the collector already registered under its name (a second
// API handler on the same registry shares the first one's collectors).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	var exists prometheus.AlreadyRegisteredError
	if errors.As(err, &exists) {
		if prev, ok := exists.ExistingCollector.(C); ok {
			return prev
		}
	}
	if err != nil {
		panic("api: registering metrics: " + err.Error())
	}
	return c
}

func (m *metrics) observe(route, method string, status int, took time.Duration) {
	method = boundedMethod(method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(took.Seconds())
}

// boundedMethod keeps the method label to a fixed set.
func boundedMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}
