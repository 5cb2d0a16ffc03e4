package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/hushpay/hushpay"
)

// errorBody is the one shape of every error response: {"error": {"code", "message", "field"?}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// httpError is a failure of the HTTP exchange itself that has no hushpay.Kind (an unsupported
// media type, an unknown route, a method the route does not take).
type httpError struct {
	status  int
	code    string
	message string
}

func (e *httpError) Error() string { return e.code }

// StatusOf is hushpay's one mapping from an error kind to an HTTP status; the pages use it too.
func StatusOf(k hushpay.Kind) int {
	switch k {
	case hushpay.KindInvalid:
		return http.StatusBadRequest
	case hushpay.KindNotFound:
		return http.StatusNotFound
	case hushpay.KindConflict:
		return http.StatusConflict
	case hushpay.KindForbidden:
		return http.StatusForbidden
	case hushpay.KindUnauthenticated:
		return http.StatusUnauthorized
	case hushpay.KindGone:
		return http.StatusGone
	case hushpay.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case hushpay.KindRateLimited:
		return http.StatusTooManyRequests
	case hushpay.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// defaultCode is the code of an error that carries none.
func defaultCode(k hushpay.Kind) string {
	if k == hushpay.KindOther {
		return "internal_error"
	}
	return k.String()
}

// publicMessage is what a client is told when an error has no message of its own, and always for
// server-side failures, whose detail goes to the log only.
func publicMessage(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "the request is invalid"
	case http.StatusUnauthorized:
		return "a valid API key is required"
	case http.StatusForbidden:
		return "your role does not allow this action"
	case http.StatusNotFound:
		return "not found"
	case http.StatusConflict:
		return "the request conflicts with the object's current state"
	case http.StatusGone:
		return "this is no longer available"
	case http.StatusRequestEntityTooLarge:
		return "the request body is larger than 1 MiB"
	case http.StatusTooManyRequests:
		return "too many requests, try again later"
	case http.StatusServiceUnavailable:
		return "the service is temporarily unavailable, try again"
	}
	return "internal error"
}

// describe turns any error into the status and body a client sees.
func describe(err error) (int, errorDetail) {
	var he *httpError
	if errors.As(err, &he) {
		return he.status, errorDetail{Code: he.code, Message: he.message}
	}
	var e *hushpay.Error
	if !errors.As(err, &e) {
		return http.StatusInternalServerError, errorDetail{Code: "internal_error", Message: publicMessage(http.StatusInternalServerError)}
	}
	status := StatusOf(e.Kind)
	d := errorDetail{Code: e.Code, Message: e.Message, Field: e.Field}
	if d.Code == "" {
		d.Code = defaultCode(e.Kind)
	}
	if d.Message == "" || status >= 500 {
		d.Message = publicMessage(status)
	}
	if status >= 500 {
		d.Field = ""
	}
	return status, d
}

// writeError answers with err's status and body, logging the detail of server-side failures.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, d := describe(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "route", routeOf(r), "status", status, "error", err.Error())
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hushpay"`)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, errorBody{Error: d})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":{"code":"internal_error","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
