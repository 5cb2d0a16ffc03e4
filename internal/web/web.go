package web

import (
	"crypto/sha512"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/payments"
	"github.com/hushpay/hushpay/internal/users"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// maxFormBytes bounds a payment form post.
const maxFormBytes = 64 << 10

// ContentSecurityPolicy is sent with every page: our own stylesheet and our own scripts (each
// pinned with an integrity hash in the page), requests only to us, no inline script or style, no
// framing, forms post only to us.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Config wires the pages to the payment service and, for the agent desktop, to the users.
type Config struct {
	Payments *payments.Service
	Logger   *slog.Logger
	// RatePerMinute bounds requests per client address and per link token (default 30).
	RatePerMinute int
	// Users signs people in; nil leaves out the sign-in pages and the agent desktop.
	Users *users.Manager
	// SecureCookies marks cookies Secure: set it when hushpay is served over HTTPS.
	SecureCookies bool
}

// Handler serves /pay/{token}, /static/ and, with Users, /signin, /signout, /enrol/{token} and
// /agent.
type Handler struct {
	cfg       Config
	tmpl      *template.Template
	mux       *http.ServeMux
	addrs     *limiter
	links     *limiter
	progress  *limiter // hints from the payment page, per link token
	signins   *limiter // sign-in and enrolment posts, per client address
	hints     *hintHub
	integrity map[string]string // static file name → SRI hash
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
		cfg:       cfg,
		mux:       http.NewServeMux(),
		addrs:     newLimiter(cfg.RatePerMinute, time.Minute),
		links:     newLimiter(cfg.RatePerMinute, time.Minute),
		progress:  newLimiter(progressPerMinute, time.Minute),
		signins:   newLimiter(cfg.RatePerMinute, time.Minute),
		hints:     newHintHub(),
		integrity: integrityOf(staticFS),
	}
	h.tmpl = template.Must(template.New("").Funcs(h.funcs()).ParseFS(templateFS, "templates/*.html"))
	h.mux.HandleFunc("GET /pay/{token}", h.showForm)
	h.mux.HandleFunc("POST /pay/{token}", h.submitForm)
	h.mux.HandleFunc("POST /pay/{token}/progress", h.receiveProgress)
	h.mux.Handle("GET /static/", http.FileServerFS(staticFS))
	if cfg.Users != nil {
		h.routeDesk()
	}
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
	Token    string // the link token, for the page's progress hints
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
	fp := h.form(page.Payment, page.Merchant)
	fp.Token = token
	h.render(w, http.StatusOK, "form.html", fp)
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
		h.hints.forget(p.ID)
		h.render(w, http.StatusOK, "result.html", h.result(p, page.Merchant))
		return
	}
	fp := h.form(p, page.Merchant)
	fp.Token = token
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

func (h *Handler) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := h.tmpl.ExecuteTemplate(w, name, data); err != nil {
		h.cfg.Logger.Error("template failed", "template", name, "err", err)
	}
}

// allow applies the per-address and per-link rate limits.
func (h *Handler) allow(w http.ResponseWriter, r *http.Request, token string) bool {
	if h.addrs.allow(clientAddr(r)) && h.links.allow(token) {
		return true
	}
	w.Header().Set("Retry-After", "60")
	h.renderMessage(w, http.StatusTooManyRequests, "Too many attempts", "Please wait a minute and try again.")
	return false
}

// clientAddr is the request's client address without its port.
func clientAddr(r *http.Request) string {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().String()
	}
	return r.RemoteAddr
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

func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"lower": strings.ToLower,
		// sri returns the integrity attribute of a static file (an attribute, so "+" stays unescaped).
		"sri": func(name string) template.HTMLAttr { return template.HTMLAttr(`integrity="` + h.integrity[name] + `"`) },
	}
}

// integrityOf returns the Subresource Integrity hash (sha384) of every file under static/.
func integrityOf(fsys fs.FS) map[string]string {
	out := map[string]string{}
	_ = fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha512.Sum384(b)
		out[path.Base(p)] = "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
		return nil
	})
	return out
}
