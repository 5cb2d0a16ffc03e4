package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/api"
	"github.com/hushpay/hushpay/internal/apikey"
	"github.com/hushpay/hushpay/internal/payments"
	"github.com/hushpay/hushpay/internal/payments/paymentstest"
	"github.com/hushpay/hushpay/internal/store/sqlite"
)

// The tenants of the tests: every role has a key in tenant "acme"; "globex" has an admin key to
// probe for objects of acme.
const (
	tenant      = "acme"
	otherTenant = "globex"
)

// publicURL is the base of the secure links the test service issues.
const publicURL = "https://pay.example.test"

// harness is a real HTTP server around api.New, on a SQLite store in a temporary directory, with
// an API key for every role. Every response it sees is kept, and checked at the end of the test for
// the security headers and for card numbers.
type harness struct {
	t        testing.TB
	server   *httptest.Server
	store    *sqlite.Store
	svc      *payments.Service
	keys     map[hushpay.Role]string
	otherKey string
	logs     *paymentstest.LogBuffer
	ready    error

	mu        sync.Mutex
	responses [][]byte
}

type harnessOption func(*api.Config)

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	f := paymentstest.New(t, paymentstest.JSONLogs())
	h := &harness{t: t, store: f.Store, keys: map[hushpay.Role]string{}, logs: f.Logs}
	for _, role := range hushpay.Roles {
		h.keys[role] = h.newKey(tenant, role)
	}
	h.otherKey = h.newKey(otherTenant, hushpay.RoleAdmin)
	var err error
	h.svc, err = payments.New(payments.Config{Store: f.Store, Vault: f.Vault, Processors: f.Processors, Audit: f.Audit,
		PublicURL: publicURL, Merchant: "Acme Health", Logger: f.Logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.svc.Close)
	cfg := api.Config{
		Payments:    h.svc,
		Auth:        apikey.NewAuthenticator(f.Store),
		Idempotency: f.Store,
		Ready:       func(context.Context) error { return h.ready },
		Logger:      slog.New(slog.NewJSONHandler(h.logs, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	h.server = httptest.NewServer(api.New(cfg))
	t.Cleanup(h.server.Close)
	t.Cleanup(h.checkSinks)
	return h
}

func (h *harness) newKey(tenant string, role hushpay.Role) string {
	h.t.Helper()
	secret, _, err := apikey.Create(context.Background(), h.store, nil, tenant, role, "", time.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return secret
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic value.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.body)
	}
	return v
}

// errorCode returns the code of an error response.
func (r response) errorCode(t *testing.T) (code, field string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message, Field string }
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not an error response (%d): %s", r.status, r.body)
	}
	return e.Error.Code, e.Error.Field
}

// request is one request to send; key "" sends no Authorization header.
type request struct {
	method, path, key string
	body              string
	header            map[string]string
}

func (h *harness) do(req request) response {
	h.t.Helper()
	var body io.Reader
	if req.body != "" {
		body = strings.NewReader(req.body)
	}
	r, err := http.NewRequest(req.method, h.server.URL+req.path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if req.body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if req.key != "" {
		r.Header.Set("Authorization", "Bearer "+req.key)
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	res, err := h.server.Client().Do(r)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	h.keep(res.Header, data)
	h.checkHeaders(req, res.Header)
	return response{status: res.StatusCode, header: res.Header, body: data}
}

// get, post are do with fewer words.
func (h *harness) get(path, key string) response {
	h.t.Helper()
	return h.do(request{method: http.MethodGet, path: path, key: key})
}

func (h *harness) post(path, key, body string) response {
	h.t.Helper()
	return h.do(request{method: http.MethodPost, path: path, key: key, body: body})
}

func (h *harness) keep(header http.Header, body []byte) {
	var all bytes.Buffer
	_ = header.Write(&all)
	all.Write(body)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.responses = append(h.responses, all.Bytes())
}

func (h *harness) checkHeaders(req request, header http.Header) {
	h.t.Helper()
	want := map[string]string{
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
	}
	for k, v := range want {
		if got := header.Get(k); got != v {
			h.t.Errorf("%s %s: header %s = %q, want %q", req.method, req.path, k, got, v)
		}
	}
}

// checkSinks scans every response and every log line of the test for the test card numbers.
func (h *harness) checkSinks() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.responses {
		if card := findCard(r); card != "" {
			h.t.Errorf("a response holds test card %s", card)
		}
	}
	if card := findCard(h.logs.Bytes()); card != "" {
		h.t.Errorf("the request log holds test card %s", card)
	}
}

// testCards are the public test card numbers the tests use (and look for where they must not be).
var testCards = []string{"4242424242424242", "5555555555554444", "378282246310005", "4000000000000002",
	"4000000000009995", "4000000000000069", "4000000000000127", "4000000000000119"}

// findCard returns the first test card number found in b, written plain, with spaces or with dashes.
func findCard(b []byte) string {
	for _, card := range testCards {
		for _, form := range cardForms(card) {
			if bytes.Contains(b, []byte(form)) {
				return form
			}
		}
	}
	return ""
}

func cardForms(card string) []string {
	groups := []string{card[:4], card[4:8], card[8:12], card[12:]}
	if len(card) == 15 { // Amex 4-6-5
		groups = []string{card[:4], card[4:10], card[10:]}
	}
	return []string{card, strings.Join(groups, " "), strings.Join(groups, "-")}
}

// doStreamed sends body without a Content-Length (chunked), as a client that streams would.
func (h *harness) doStreamed(method, path, key, body string) response {
	h.t.Helper()
	r, err := http.NewRequest(method, h.server.URL+path, io.MultiReader(strings.NewReader(body)))
	if err != nil {
		h.t.Fatal(err)
	}
	r.ContentLength = -1
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+key)
	res, err := h.server.Client().Do(r)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	h.keep(res.Header, data)
	return response{status: res.StatusCode, header: res.Header, body: data}
}
