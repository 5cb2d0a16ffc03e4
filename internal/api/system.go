package api

import (
	_ "embed"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hushpay/hushpay"
)

//go:embed openapi.json
var openapiDocument []byte

// OpenAPI returns the API's OpenAPI 3.1 document (a copy).
func OpenAPI() []byte { return append([]byte(nil), openapiDocument...) }

func (s *server) openAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openapiDocument)
}

type statusView struct {
	Status string `json:"status"`
}

// healthz answers 200 whenever the process serves at all.
func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, statusView{Status: "ok"})
}

// readyz answers 503 while a dependency (the database) does not answer.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.ready != nil {
		if err := s.ready(r.Context()); err != nil {
			s.writeError(w, r, &hushpay.Error{Op: "readyz", Kind: hushpay.KindUnavailable, Code: "not_ready", Err: err})
			return
		}
	}
	writeJSON(w, http.StatusOK, statusView{Status: "ready"})
}

func (s *server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}
