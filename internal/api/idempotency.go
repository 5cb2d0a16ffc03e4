package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"sync"

	"github.com/hushpay/hushpay"
)

// IdempotencyHeader names the request header that makes a POST safe to retry; ReplayedHeader marks
// a response that is a replay of the first one.
const (
	IdempotencyHeader = "Idempotency-Key"
	ReplayedHeader    = "Idempotent-Replayed"
)

const maxIdempotencyKeyLen = 255

// idempotency replays the first response to a POST made again with the same Idempotency-Key.
// Records live in the store (shared by every node); the guard against two copies of one request
// running at once is a lock per key in this process only, so two nodes racing on one key can both
// run it, and the second to store its record keeps the first record.
type idempotency struct {
	store hushpay.IdempotencyStore
	clock hushpay.Clock

	mu       sync.Mutex
	inFlight map[string]bool
}

func newIdempotency(store hushpay.IdempotencyStore, clock hushpay.Clock) *idempotency {
	return &idempotency{store: store, clock: clock, inFlight: make(map[string]bool)}
}

// serve runs next for the request unless its Idempotency-Key has been seen, in which case it replays
// the stored response (same status and body) or refuses a different request with the same key.
func (i *idempotency) serve(w http.ResponseWriter, r *http.Request, p hushpay.Principal,
	next func(http.ResponseWriter, *http.Request), fail func(http.ResponseWriter, *http.Request, error)) {
	key := r.Header.Get(IdempotencyHeader)
	if key == "" {
		next(w, r)
		return
	}
	if !validKey(key) {
		fail(w, r, hushpay.FieldError(IdempotencyHeader, "invalid_idempotency_key",
			"Idempotency-Key must be 1 to 255 visible ASCII characters"))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		fail(w, r, bodyReadError(err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	hash := requestHash(r, body)

	if !i.lock(p.Tenant, key) {
		fail(w, r, hushpay.Errorf(hushpay.KindConflict, "idempotency_key_in_use",
			"a request with this Idempotency-Key is still being processed"))
		return
	}
	defer i.unlock(p.Tenant, key)

	rec, err := i.store.GetIdempotency(r.Context(), p.Tenant, key)
	switch {
	case err == nil:
		replay(w, r, rec, hash, fail)
	case hushpay.IsNotFound(err):
		i.runAndSave(w, r, p, key, hash, next)
	default:
		fail(w, r, &hushpay.Error{Op: "idempotency.get", Kind: hushpay.KindUnavailable, Code: "unavailable", Err: err})
	}
}

func replay(w http.ResponseWriter, r *http.Request, rec *hushpay.IdempotencyRecord, hash []byte,
	fail func(http.ResponseWriter, *http.Request, error)) {
	if !bytes.Equal(rec.RequestHash, hash) {
		fail(w, r, hushpay.Errorf(hushpay.KindConflict, "idempotency_key_reuse",
			"this Idempotency-Key was used for a different request"))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set(ReplayedHeader, "true")
	w.WriteHeader(rec.Status)
	_, _ = w.Write(rec.Body)
}

// runAndSave runs the request into a buffer, stores the response unless it is a server-side
// failure (a retry should run again), and sends it.
func (i *idempotency) runAndSave(w http.ResponseWriter, r *http.Request, p hushpay.Principal, key string,
	hash []byte, next func(http.ResponseWriter, *http.Request)) {
	buf := &bufferedResponse{header: w.Header()}
	next(buf, r)
	status := buf.status()
	if status < 500 {
		rec := &hushpay.IdempotencyRecord{Tenant: p.Tenant, Key: key, RequestHash: hash, Status: status,
			Body: buf.body.Bytes(), CreatedAt: i.clock.Now().UTC()}
		// A failure to remember is not the request's failure: the response is still right; a
		// retry will then run again, as if no key had been sent.
		_ = i.store.SaveIdempotency(context.WithoutCancel(r.Context()), rec)
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.body.Bytes())
}

func (i *idempotency) lock(tenant, key string) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	k := tenant + "\x00" + key
	if i.inFlight[k] {
		return false
	}
	i.inFlight[k] = true
	return true
}

func (i *idempotency) unlock(tenant, key string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	delete(i.inFlight, tenant+"\x00"+key)
}

// requestHash identifies a request for reuse detection: its method, path and body.
func requestHash(r *http.Request, body []byte) []byte {
	h := sha256.New()
	_, _ = io.WriteString(h, r.Method+"\n"+r.URL.Path+"\n")
	_, _ = h.Write(body)
	return h.Sum(nil)
}

func validKey(key string) bool {
	if len(key) > maxIdempotencyKeyLen {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// bufferedResponse holds a response until it is known whether to remember it.
type bufferedResponse struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}

func (b *bufferedResponse) status() int {
	if b.code == 0 {
		return http.StatusOK
	}
	return b.code
}
