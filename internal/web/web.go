package web

import (
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/payments"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// maxFormBytes bounds a payment form post.
const maxFormBytes = 64 << 10

// ContentSecurityPolicy is sent with every page: nothing but our own stylesheet, no script at all
// on the plain form, no framing, forms post only to us.
const ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Config wires the pages to the payment service.
type Config struct {
	Payments *payments.Service
	Logger   *slog.Logger
	// RatePerMinute bounds requests per client address and per link token (default 30).
	RatePerMinute int
}

// Handler serves /pay/{token} and /static/.
type Handler struct {
	cfg   Config
	tmpl  *template.Template
	mux   *http.ServeMux
	addrs *limiter
	links *limiter
}

// New returns the pages' handler.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RatePerMinute == 0 {
		cfg.RatePerMinute = 30
	}
	h := &Handler{
		cfg:   cfg,
		tmpl:  template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")),
		mux:   http.NewServeMux(),
		addrs: newLimiter(cfg.RatePerMinute, time.Minute),
		links: newLimiter(cfg.RatePerMinute, time.Minute),
	}
	h.mux.HandleFunc("GET /pay/{token}", h.showForm)
	h.mux.HandleFunc("POST /pay/{token}", h.submitForm)
	h.mux.Handle("GET /static/", http.FileServerFS(staticFS))
	return h
}

// ServeHTTP sets the security headers and serves the page.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", ContentSecurityPolicy)
	hd.Set("Cache-Control", "no-store")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	h.mux.ServeHTTP(w, r)
}

// formPage is what the templates render.
type formPage struct {
	Title    string
	Merchant string
	Amount   string
	Ref      string
	Method   hushpay.Method
	Fields   []formField
	Message  string
	Outcome  *hushpay.Outcome
	State    hushpay.PaymentState
}

type formField struct {
	Name         hushpay.FieldName
	Label        string
	Autocomplete string
	InputMode    string
	Placeholder  string
	Error        string
	Options      []string
}

func (h *Handler) showForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !h.allow(w, r, token) {
		return
	}
	page, err := h.cfg.Payments.OpenLink(r.Context(), token)
	if err != nil {
		h.renderError(w, err)
		return
	}
	h.render(w, http.StatusOK, "form.html", h.form(page.Payment, page.Merchant))
}

func (h *Handler) submitForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !h.allow(w, r, token) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.renderMessage(w, http.StatusBadRequest, "Something went wrong", "The form could not be read. Please go back and try again.")
		return
	}
	page, err := h.cfg.Payments.OpenLink(r.Context(), token)
	if err != nil {
		h.renderError(w, err)
		return
	}
	values := map[hushpay.FieldName]string{}
	for _, f := range page.Payment.Capture {
		values[f] = r.PostForm.Get(string(f))
	}
	p, err := h.cfg.Payments.SubmitLink(r.Context(), token, values)
	clear(values)
	if err != nil {
		h.renderError(w, err)
		return
	}
	if p.State.Final() {
		h.render(w, http.StatusOK, "result.html", h.result(p, page.Merchant))
		return
	}
	fp := h.form(p, page.Merchant)
	fp.Message = "Please check the highlighted fields."
	h.render(w, http.StatusUnprocessableEntity, "form.html", fp)
}

func (h *Handler) form(p *hushpay.Payment, merchant string) formPage {
	fp := formPage{Title: "Secure payment", Merchant: merchant, Amount: payments.FormatAmount(p.Amount, p.Currency),
		Ref: p.Reference, Method: p.Method, State: p.State}
	for _, name := range p.Capture {
		f := describe(name)
		if st := p.Fields[name]; st.State == hushpay.FieldInvalid {
			f.Error = explain(name, st.Error)
		}
		fp.Fields = append(fp.Fields, f)
	}
	return fp
}

func (h *Handler) result(p *hushpay.Payment, merchant string) formPage {
	fp := h.form(p, merchant)
	fp.Outcome = p.Outcome
	switch p.State {
	case hushpay.PaymentSucceeded:
		fp.Title = "Payment approved"
	case hushpay.PaymentDeclined:
		fp.Title = "Payment declined"
	default:
		fp.Title = "Payment not completed"
	}
	return fp
}

func (h *Handler) renderError(w http.ResponseWriter, err error) {
	var e *hushpay.Error
	errors.As(err, &e)
	switch hushpay.KindOf(err) {
	case hushpay.KindNotFound:
		h.renderMessage(w, http.StatusNotFound, "Link not found", "This payment link is not valid. Please ask for a new link.")
	case hushpay.KindGone:
		msg := "This payment link can no longer be used. Please ask for a new link."
		switch e.Code {
		case "link_used":
			msg = "This payment link has already been used."
		case "link_expired", "payment_expired":
			msg = "This payment link has expired. Please ask for a new link."
		case "payment_cancelled":
			msg = "This payment was cancelled."
		case "payment_succeeded":
			msg = "This payment has already been made. Thank you."
		}
		h.renderMessage(w, http.StatusGone, "Link no longer valid", msg)
	default:
		h.cfg.Logger.Error("payment page failed", "err", err)
		h.renderMessage(w, http.StatusInternalServerError, "Something went wrong", "Your payment was not taken. Please try again in a moment.")
	}
}

func (h *Handler) renderMessage(w http.ResponseWriter, status int, title, msg string) {
	h.render(w, status, "message.html", formPage{Title: title, Message: msg})
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, data formPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := h.tmpl.ExecuteTemplate(w, name, data); err != nil {
		h.cfg.Logger.Error("template failed", "template", name, "err", err)
	}
}

// allow applies the per-address and per-link rate limits.
func (h *Handler) allow(w http.ResponseWriter, r *http.Request, token string) bool {
	addr := r.RemoteAddr
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		addr = ap.Addr().String()
	}
	if h.addrs.allow(addr) && h.links.allow(token) {
		return true
	}
	w.Header().Set("Retry-After", "60")
	h.renderMessage(w, http.StatusTooManyRequests, "Too many attempts", "Please wait a minute and try again.")
	return false
}

// limiter is a fixed-window counter per key, pruned as windows pass.
type limiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	start  time.Time
	counts map[string]int
}

func newLimiter(limit int, window time.Duration) *limiter {
	return &limiter{limit: limit, window: window, counts: map[string]int{}}
}

func (l *limiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := time.Now(); now.Sub(l.start) >= l.window {
		l.start, l.counts = now, map[string]int{}
	}
	l.counts[key]++
	return l.counts[key] <= l.limit
}

var funcs = template.FuncMap{"lower": strings.ToLower}
