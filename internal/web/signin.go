package web

import (
	"errors"
	"net/http"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/users"
	qrcode "github.com/skip2/go-qrcode"
)

// maxSignInBytes bounds a sign-in or enrolment post.
const maxSignInBytes = 8 << 10

// deskPage is what the sign-in, enrolment and desktop templates render.
type deskPage struct {
	Title   string
	CSRF    string
	User    *users.User
	Message string // an error, shown as an alert
	Notice  string // information, shown as a status
	Email   string // the email typed on the sign-in form (never the password or code)
	Token   string // the enrolment token
	Secret  string // the TOTP secret, shown once during enrolment for manual entry
	Desk    *desk
	List    *paymentList
}

func (h *Handler) routeDesk() {
	h.mux.HandleFunc("GET /signin", h.showSignIn)
	h.mux.HandleFunc("POST /signin", h.signIn)
	h.mux.HandleFunc("POST /signout", h.signOut)
	h.mux.HandleFunc("GET /enrol/{token}", h.showEnrol)
	h.mux.HandleFunc("GET /enrol/{token}/qr.png", h.enrolQR)
	h.mux.HandleFunc("POST /enrol/{token}", h.enrol)
	h.routeAgent()
}

func (h *Handler) showSignIn(w http.ResponseWriter, r *http.Request) {
	p := deskPage{Title: "Sign in", CSRF: h.formToken(w, r)}
	switch {
	case r.URL.Query().Has("expired"):
		p.Notice = "Your session ended after 15 minutes without activity. Please sign in again."
	case r.URL.Query().Has("enrolled"):
		p.Notice = "You are set up. Sign in with your password and a code from your authenticator app."
	case r.URL.Query().Has("signedout"):
		p.Notice = "You are signed out."
	}
	h.render(w, http.StatusOK, "signin.html", p)
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignInBytes)
	if err := r.ParseForm(); err != nil || !formTokenOK(r) {
		h.renderCSRF(w)
		return
	}
	if !h.signins.allow(clientAddr(r)) {
		w.Header().Set("Retry-After", "60")
		h.renderMessage(w, http.StatusTooManyRequests, "Too many attempts", "Please wait a minute and try again.")
		return
	}
	email := r.PostFormValue("email")
	_, _, token, err := h.cfg.Users.SignIn(r.Context(), email, r.PostFormValue("password"), r.PostFormValue("code"))
	if err != nil {
		p := deskPage{Title: "Sign in", CSRF: h.formToken(w, r), Email: email}
		status := http.StatusUnauthorized
		switch {
		case errors.Is(err, users.ErrLocked):
			status, p.Message = http.StatusTooManyRequests, "Too many failed sign-ins: this account is locked for 15 minutes."
		case errors.Is(err, users.ErrSignIn):
			p.Message = "The email, password or code is not right. After 5 failures the account locks for 15 minutes."
		default:
			h.cfg.Logger.Error("sign-in failed", "err", err)
			status, p.Message = http.StatusInternalServerError, "Something went wrong. Please try again."
		}
		h.render(w, status, "signin.html", p)
		return
	}
	h.setCookie(w, sessionCookie, token, 0)
	http.Redirect(w, r, "/agent", http.StatusSeeOther)
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignInBytes)
	who, err := h.current(r, false)
	if err != nil {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	if !sameToken(r.PostFormValue(csrfField), who.session.CSRF) {
		h.renderCSRF(w)
		return
	}
	c, _ := r.Cookie(sessionCookie)
	if err := h.cfg.Users.SignOut(r.Context(), c.Value); err != nil {
		h.cfg.Logger.Error("sign-out failed", "err", err)
	}
	h.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/signin?signedout=1", http.StatusSeeOther)
}

func (h *Handler) showEnrol(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	u, err := h.cfg.Users.Enrolment(r.Context(), token)
	if err != nil {
		h.renderEnrolError(w, err)
		return
	}
	h.render(w, http.StatusOK, "enrol.html", deskPage{Title: "Set up your account", CSRF: h.formToken(w, r), User: u,
		Token: token, Secret: u.TOTPSecret})
}

func (h *Handler) enrolQR(w http.ResponseWriter, r *http.Request) {
	u, err := h.cfg.Users.Enrolment(r.Context(), r.PathValue("token"))
	if err != nil {
		w.WriteHeader(statusOf(err))
		return
	}
	png, err := qrcode.Encode(users.TOTPURI("hushpay", u.Email, u.TOTPSecret), qrcode.Medium, 256)
	if err != nil {
		h.cfg.Logger.Error("qr code failed", "err", err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(png)
}

func (h *Handler) enrol(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignInBytes)
	if err := r.ParseForm(); err != nil || !formTokenOK(r) {
		h.renderCSRF(w)
		return
	}
	if !h.signins.allow(clientAddr(r)) {
		w.Header().Set("Retry-After", "60")
		h.renderMessage(w, http.StatusTooManyRequests, "Too many attempts", "Please wait a minute and try again.")
		return
	}
	token := r.PathValue("token")
	password := r.PostFormValue("password")
	if password != r.PostFormValue("password_again") {
		h.reEnrol(w, r, token, "The two passwords differ.")
		return
	}
	_, err := h.cfg.Users.Enrol(r.Context(), token, password, r.PostFormValue("code"))
	var e *hushpay.Error
	switch {
	case err == nil:
		http.Redirect(w, r, "/signin?enrolled=1", http.StatusSeeOther)
	case errors.As(err, &e) && e.Kind == hushpay.KindInvalid:
		h.reEnrol(w, r, token, upperFirst(e.Message)+".")
	default:
		h.renderEnrolError(w, err)
	}
}

func (h *Handler) reEnrol(w http.ResponseWriter, r *http.Request, token, msg string) {
	u, err := h.cfg.Users.Enrolment(r.Context(), token)
	if err != nil {
		h.renderEnrolError(w, err)
		return
	}
	h.render(w, http.StatusUnprocessableEntity, "enrol.html", deskPage{Title: "Set up your account", CSRF: h.formToken(w, r),
		User: u, Token: token, Secret: u.TOTPSecret, Message: msg})
}

func (h *Handler) renderEnrolError(w http.ResponseWriter, err error) {
	switch hushpay.KindOf(err) {
	case hushpay.KindNotFound:
		h.renderMessage(w, http.StatusNotFound, "Link not found", "This set-up link is not valid. Ask an administrator for a new one.")
	case hushpay.KindGone:
		h.renderMessage(w, http.StatusGone, "Link no longer valid", "This set-up link has been used or has expired. Ask an administrator for a new one.")
	default:
		h.cfg.Logger.Error("enrolment failed", "err", err)
		h.renderMessage(w, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
	}
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
