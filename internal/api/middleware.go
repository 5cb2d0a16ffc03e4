package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/hushpay/hushpay"
)

// requestInfo is what the inner handlers learn about a request that its log line needs.
type requestInfo struct {
	route string
	actor string
}

type infoKey struct{}

func infoOf(r *http.Request) *requestInfo {
	info, _ := r.Context().Value(infoKey{}).(*requestInfo)
	return info
}

// routeOf is the request's route pattern for logs and metrics, "unmatched" if it has none.
func routeOf(r *http.Request) string {
	if info := infoOf(r); info != nil && info.route != "" {
		return info.route
	}
	return "unmatched"
}

// outer wraps the mux in what every response gets: security headers, the body limit, JSON errors for
// unknown routes, panic recovery, one log line and the request metrics.
func (s *server) outer(mux *http.ServeMux) http.Handler {
	patterns := make(map[string]bool)
	for _, rt := range s.routes() {
		patterns[rt.pattern] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
		sw := &statusWriter{ResponseWriter: w}
		setSecurityHeaders(sw.Header())
		if r.ContentLength > MaxBodyBytes {
			s.writeError(sw, r, bodyReadError(&http.MaxBytesError{Limit: MaxBodyBytes}))
		} else {
			r.Body = http.MaxBytesReader(sw, r.Body, MaxBodyBytes)
			if _, pattern := mux.Handler(r); patterns[pattern] {
				info.route = pattern
			}
			s.dispatch(mux, sw, r, info.route != "")
		}
		s.finish(r, info, sw.status(), time.Since(start))
	})
}

// dispatch serves a matched request through the mux, and answers an unmatched one with a JSON 404
// or 405 (or the mux's redirect to the clean path).
func (s *server) dispatch(mux *http.ServeMux, w http.ResponseWriter, r *http.Request, matched bool) {
	defer s.recoverPanic(w, r)
	if matched {
		mux.ServeHTTP(w, r)
		return
	}
	rec := &headRecorder{header: http.Header{}}
	mux.ServeHTTP(rec, r)
	switch rec.code {
	case 0:
		s.writeError(w, r, &httpError{status: http.StatusNotFound, code: "route_not_found", message: "no such route"})
	case http.StatusNotFound:
		s.writeError(w, r, &httpError{status: http.StatusNotFound, code: "route_not_found", message: "no such route"})
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", rec.header.Get("Allow"))
		s.writeError(w, r, &httpError{status: http.StatusMethodNotAllowed, code: "method_not_allowed",
			message: "this route does not take that method"})
	default:
		if loc := rec.header.Get("Location"); loc != "" {
			w.Header().Set("Location", loc)
		}
		w.WriteHeader(rec.code)
	}
}

// recoverPanic answers 500 after a handler panicked, logging neither the panic value (it could hold
// anything) nor a stack to the client.
func (s *server) recoverPanic(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	s.log.ErrorContext(r.Context(), "handler panicked", "route", routeOf(r))
	s.writeError(w, r, &hushpay.Error{Kind: hushpay.KindOther, Code: "internal_error", Message: "panic"})
}

// finish writes the request's one log line and its metrics.
func (s *server) finish(r *http.Request, info *requestInfo, status int, took time.Duration) {
	route := routeOf(r)
	s.metrics.observe(route, r.Method, status, took)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(r.Context(), level, "http request",
		slog.String("method", boundedMethod(r.Method)), slog.String("route", route),
		slog.Int("status", status), slog.Duration("duration", took), slog.String("actor", info.actor))
}

func setSecurityHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// statusWriter remembers the status written through it; Unwrap lets http.ResponseController reach
// the connection's Flush and deadlines.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// headRecorder keeps the status and headers of the mux's own answer to an unmatched request, so it
// can be answered in JSON instead.
type headRecorder struct {
	header http.Header
	code   int
}

func (r *headRecorder) Header() http.Header { return r.header }

func (r *headRecorder) Write(b []byte) (int, error) { return len(b), nil }

func (r *headRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
