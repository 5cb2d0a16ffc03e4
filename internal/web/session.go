package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/users"
)

// The cookies. Both are HttpOnly and SameSite=Strict, and Secure when served over TLS.
const (
	sessionCookie = "hushpay_session" // the session token (its hash is stored)
	formCookie    = "hushpay_form"    // the CSRF token of the sign-in and enrolment forms (double submit)
	csrfField     = "csrf"            // the hidden form field with the CSRF token
	csrfHeader    = "X-CSRF-Token"    // the header the desktop script sends with the session's token
	// backgroundHeader marks the desktop's polling, which must not keep an idle session alive.
	backgroundHeader = "X-Hushpay-Background"
)

// signedIn is who a request comes from.
type signedIn struct {
	user    *users.User
	session *users.Session
}

func (h *Handler) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: h.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
}

// current returns the request's signed-in user; touch restarts the idle clock.
func (h *Handler) current(r *http.Request, touch bool) (*signedIn, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, hushpay.NotFound("session")
	}
	s, u, err := h.cfg.Users.Session(r.Context(), c.Value, touch)
	if err != nil {
		return nil, err
	}
	return &signedIn{user: u, session: s}, nil
}

// page wraps a desktop page: it sends a visitor without a session to the sign-in page (saying
// when the session timed out) and refuses a role without the permission.
func (h *Handler) page(perm hushpay.Permission, next func(http.ResponseWriter, *http.Request, *signedIn)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		who, err := h.current(r, true)
		if err != nil {
			h.toSignIn(w, r, err)
			return
		}
		if !who.user.Role.Can(perm) {
			h.renderMessage(w, http.StatusForbidden, "Not allowed", "Your role does not allow this page.")
			return
		}
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue(csrfField), who.session.CSRF) {
			h.renderCSRF(w)
			return
		}
		next(w, r, who)
	}
}

// action wraps a desktop JSON call: 401 without a session, 403 without the permission or without
// the session's CSRF token on a state-changing request.
func (h *Handler) action(perm hushpay.Permission, next func(http.ResponseWriter, *http.Request, *signedIn)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		who, err := h.current(r, r.Method != http.MethodGet && r.Header.Get(backgroundHeader) == "")
		if err != nil {
			code := "signed_out"
			if err == users.ErrSessionExpired {
				code = "session_expired"
			}
			writeJSONError(w, http.StatusUnauthorized, code, "", "sign in again")
			return
		}
		if r.Method != http.MethodGet && !sameToken(r.Header.Get(csrfHeader), who.session.CSRF) {
			writeJSONError(w, http.StatusForbidden, "csrf", "", "the request lacks the page's CSRF token: reload the page")
			return
		}
		if !who.user.Role.Can(perm) {
			writeJSONError(w, http.StatusForbidden, "forbidden", "", "your role does not allow this action")
			return
		}
		next(w, r, who)
	}
}

func (h *Handler) toSignIn(w http.ResponseWriter, r *http.Request, err error) {
	target := "/signin"
	if err == users.ErrSessionExpired {
		target += "?expired=1"
		h.setCookie(w, sessionCookie, "", -1)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (h *Handler) renderCSRF(w http.ResponseWriter) {
	h.renderMessage(w, http.StatusForbidden, "This form has expired",
		"The page was open too long or came from somewhere else. Go back, reload the page and try again.")
}

// formToken returns the CSRF token of the signed-out forms, setting its cookie if missing.
func (h *Handler) formToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(formCookie); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	t := newToken()
	h.setCookie(w, formCookie, t, 0)
	return t
}

// formTokenOK checks a signed-out form's CSRF field against its cookie.
func formTokenOK(r *http.Request) bool {
	c, err := r.Cookie(formCookie)
	return err == nil && sameToken(r.PostFormValue(csrfField), c.Value)
}

func sameToken(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("hushpay: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
