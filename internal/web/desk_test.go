package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/payments"
	"github.com/hushpay/hushpay/internal/payments/paymentstest"
	"github.com/hushpay/hushpay/internal/store/sqlite"
	"github.com/hushpay/hushpay/internal/users"
	"github.com/hushpay/hushpay/internal/users/sqlstore"
)

// testClock is the users' clock, moved by hand to expire sessions.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// deskEnv is a running hushpay web front: payment service, users, pages.
type deskEnv struct {
	svc   *payments.Service
	users *users.Manager
	store *sqlite.Store
	clock *testClock
	srv   *httptest.Server
	base  string
}

const testPassword = "correct horse battery"

func newDesk(t *testing.T, senders map[string]payments.LinkSender, rate int) *deskEnv {
	t.Helper()
	f := paymentstest.New(t)
	env := &deskEnv{store: f.Store, clock: &testClock{}}
	us, err := sqlstore.Open(context.Background(), "sqlite:"+f.DBPath, f.Dir)
	if err != nil {
		t.Fatal(err)
	}
	env.users, err = users.New(users.Config{Store: us, Audit: f.Audit, Clock: env.clock, Argon2: users.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}, Sealer: f.Vault})
	if err != nil {
		t.Fatal(err)
	}
	env.srv = httptest.NewUnstartedServer(nil)
	env.srv.Start()
	env.base = env.srv.URL
	env.svc, err = payments.New(payments.Config{Store: f.Store, Vault: f.Vault, Processors: f.Processors, Audit: f.Audit,
		PublicURL: env.base, Merchant: "Acme Health", Senders: senders})
	if err != nil {
		t.Fatal(err)
	}
	env.srv.Config.Handler = New(Config{Payments: env.svc, Users: env.users, RatePerMinute: rate})
	t.Cleanup(func() { env.srv.Close(); env.svc.Close(); us.Close() })
	return env
}

// enrolUser creates and enrols a user and returns the TOTP secret.
func (e *deskEnv) enrolUser(t *testing.T, email string, role hushpay.Role) string {
	t.Helper()
	u, token, err := e.users.Create(context.Background(), email, "acme", role)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := users.TOTPCode(u.TOTPSecret, e.clock.Now().Add(-30*time.Second)) // leave the current code for sign-in
	if _, err := e.users.Enrol(context.Background(), token, testPassword, code); err != nil {
		t.Fatal(err)
	}
	return u.TOTPSecret
}

// browser is an HTTP client with a cookie jar that does not follow redirects.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

func (e *deskEnv) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: e.base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(method, path string, body io.Reader, header map[string]string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.base+path, body)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func (b *browser) get(path string) (*http.Response, string) { return b.do("GET", path, nil, nil) }

func (b *browser) postForm(path string, form url.Values) (*http.Response, string) {
	return b.do("POST", path, strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// formCSRF opens a page and returns the CSRF token of its form.
func (b *browser) formCSRF(path string) string {
	b.t.Helper()
	_, body := b.get(path)
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("%s has no CSRF field", path)
	}
	return m[1]
}

func (b *browser) signIn(email, code string) (*http.Response, string) {
	return b.postForm("/signin", url.Values{"csrf": {b.formCSRF("/signin")}, "email": {email}, "password": {testPassword}, "code": {code}})
}

func (e *deskEnv) code(t *testing.T, secret string) string {
	c, err := users.TOTPCode(secret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (b *browser) api(method, path, csrf string, body any) (*http.Response, map[string]any) {
	b.t.Helper()
	var r io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		r = strings.NewReader(string(j))
	}
	resp, text := b.do(method, "/agent/api"+path, r, map[string]string{"X-CSRF-Token": csrf, "Content-Type": "application/json"})
	out := map[string]any{}
	_ = json.Unmarshal([]byte(text), &out)
	return resp, out
}

func TestSignInAndDesk(t *testing.T) {
	env := newDesk(t, nil, 1000)
	secret := env.enrolUser(t, "ana@example.com", hushpay.RoleAgent)
	b := env.browser(t)

	t.Run("the desktop sends a visitor without a session to sign in", func(t *testing.T) {
		resp, _ := b.get("/agent")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("a sign-in without the form's CSRF token is refused", func(t *testing.T) {
		resp, body := b.postForm("/signin", url.Values{"email": {"ana@example.com"}, "password": {testPassword}, "code": {env.code(t, secret)}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "This form has expired") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("a wrong code is refused with a clear page", func(t *testing.T) {
		resp, body := b.signIn("ana@example.com", "000000")
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not right") || strings.Contains(body, testPassword) {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	var csrf string
	t.Run("password and code open the desktop with secure cookies", func(t *testing.T) {
		resp, _ := b.signIn("ana@example.com", env.code(t, secret))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/agent" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie && (!c.HttpOnly || c.SameSite != http.SameSiteStrictMode) {
				t.Errorf("session cookie %+v is not HttpOnly and SameSite=Strict", c)
			}
		}
		resp, body := b.get("/agent")
		if resp.StatusCode != 200 || !strings.Contains(body, "No live calls") || !strings.Contains(body, "Start a payment") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		if resp.Header.Get("Content-Security-Policy") != ContentSecurityPolicy {
			t.Errorf("CSP %q", resp.Header.Get("Content-Security-Policy"))
		}
		checkScriptsPinned(t, env.srv, body, 1)
		csrf = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`).FindStringSubmatch(body)[1]
	})
	var id string
	t.Run("the desktop starts a payment with the session and its CSRF token", func(t *testing.T) {
		resp, p := b.api("POST", "/payments", csrf, map[string]any{"amount": "12.50", "currency": "usd", "reference": "INV-7", "method": "card",
			"capture": []string{"card_number", "expiry", "security_code"}})
		if resp.StatusCode != http.StatusCreated || p["amount"] != "12.50 USD" || p["state"] != "created" {
			t.Fatalf("%d %v", resp.StatusCode, p)
		}
		id = p["id"].(string)
	})
	t.Run("a desktop call without the CSRF token changes nothing", func(t *testing.T) {
		for _, token := range []string{"", "wrong" + csrf} {
			resp, out := b.api("POST", "/payments/"+id+"/cancel", token, map[string]any{})
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("%d %v", resp.StatusCode, out)
			}
		}
		if p, _ := env.svc.Get(context.Background(), hushpay.System("acme"), id); p.State != hushpay.PaymentCreated {
			t.Fatalf("state %s", p.State)
		}
	})
	t.Run("a link for chat comes back to paste", func(t *testing.T) {
		resp, out := b.api("POST", "/payments/"+id+"/link", csrf, map[string]any{"channel": "chat"})
		if resp.StatusCode != 200 || !strings.HasPrefix(out["url"].(string), env.base+"/pay/") {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
	})
	t.Run("email without a configured sender says so", func(t *testing.T) {
		resp, out := b.api("POST", "/payments/"+id+"/link", csrf, map[string]any{"channel": "email", "to": "caller@example.com"})
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(out["error"].(map[string]any)["message"].(string), "not configured") {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
	})
	t.Run("the supervisor view lists and filters payments", func(t *testing.T) {
		_, body := b.get("/agent/payments?reference=INV-7")
		if !strings.Contains(body, "INV-7") || !strings.Contains(body, "12.50 USD") {
			t.Fatalf("%s", body)
		}
		_, body = b.get("/agent/payments?reference=OTHER")
		if strings.Contains(body, "INV-7") || !strings.Contains(body, "No payments match") {
			t.Fatalf("filter ignored")
		}
	})
	t.Run("sign-out needs the CSRF token and ends the session", func(t *testing.T) {
		if resp, _ := b.postForm("/signout", url.Values{}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("sign-out without token: %d", resp.StatusCode)
		}
		if resp, _ := b.postForm("/signout", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-out: %d", resp.StatusCode)
		}
		if resp, _ := b.api("GET", "/payments/"+id, csrf, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("after sign-out: %d", resp.StatusCode)
		}
	})
}

func TestSessionsEndAndAccountsLock(t *testing.T) {
	env := newDesk(t, nil, 1000)
	secret := env.enrolUser(t, "bo@example.com", hushpay.RoleAgent)
	t.Run("an idle session ends after 15 minutes with a clear page", func(t *testing.T) {
		b := env.browser(t)
		if resp, _ := b.signIn("bo@example.com", env.code(t, secret)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in %d", resp.StatusCode)
		}
		env.clock.Add(users.IdleTimeout + time.Minute)
		resp, _ := b.get("/agent")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin?expired=1" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body := b.get("/signin?expired=1")
		if !strings.Contains(body, "15 minutes without activity") {
			t.Fatalf("%s", body)
		}
	})
	t.Run("five failures lock the account; the right answer then gets a locked page", func(t *testing.T) {
		b := env.browser(t)
		for i := range users.MaxFailures {
			resp, _ := b.postForm("/signin", url.Values{"csrf": {b.formCSRF("/signin")}, "email": {"bo@example.com"},
				"password": {"not the password"}, "code": {env.code(t, secret)}})
			if i < users.MaxFailures-1 && resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i, resp.StatusCode)
			}
		}
		env.clock.Add(30 * time.Second)
		resp, body := b.signIn("bo@example.com", env.code(t, secret))
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "locked for 15 minutes") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("an auditor reads payments but cannot start one", func(t *testing.T) {
		aSecret := env.enrolUser(t, "audit@example.com", hushpay.RoleAuditor)
		b := env.browser(t)
		b.signIn("audit@example.com", env.code(t, aSecret))
		if resp, _ := b.get("/agent"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/agent/payments" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body := b.get("/agent/payments")
		csrf := csrfInput.FindStringSubmatch(body)[1]
		resp, _ := b.api("POST", "/payments", csrf, map[string]any{"amount": "1", "currency": "USD", "reference": "x"})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("auditor created a payment: %d", resp.StatusCode)
		}
	})
}

func TestEnrolmentPage(t *testing.T) {
	env := newDesk(t, nil, 1000)
	u, token, err := env.users.Create(context.Background(), "cy@example.com", "acme", hushpay.RoleSupervisor)
	if err != nil {
		t.Fatal(err)
	}
	b := env.browser(t)
	csrf := b.formCSRF("/enrol/" + token)
	if resp, body := b.get("/enrol/" + token + "/qr.png"); resp.StatusCode != 200 || !strings.HasPrefix(body, "\x89PNG") {
		t.Fatalf("QR code: %d", resp.StatusCode)
	}
	tests := []struct {
		name, password, again, code, want string
		status                            int
	}{
		{"passwords that differ", testPassword, testPassword + "x", "", "differ", 422},
		{"a wrong code", testPassword, testPassword, "000000", "not right", 422},
		{"the right code", testPassword, testPassword, env.code(t, u.TOTPSecret), "", http.StatusSeeOther},
		{"the link again", testPassword, testPassword, env.code(t, u.TOTPSecret), "used or has expired", http.StatusGone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := b.postForm("/enrol/"+token, url.Values{"csrf": {csrf}, "password": {tt.password}, "password_again": {tt.again}, "code": {tt.code}})
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) || strings.Contains(body, testPassword) {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
		})
	}
}

func TestProgressHints(t *testing.T) {
	env := newDesk(t, nil, 1000)
	p, err := env.svc.Create(context.Background(), agent, payments.CreateRequest{Amount: 900, Currency: "USD", Reference: "R-1"})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := env.svc.CreateLink(context.Background(), agent, p.ID, payments.LinkRequest{Chat: true})
	path := strings.TrimPrefix(l.URL, env.base) + "/progress"
	b := env.browser(t)
	tests := []struct {
		name, body string
		status     int
	}{
		{"a field state", `{"field":"card_number","state":"partial","length":6,"brand":"visa"}`, 204},
		{"a card number instead of a state", `{"field":"card_number","state":"partial","length":16,"brand":"visa","value":"4242424242424242"}`, 400},
		{"an unknown field", `{"field":"pin","state":"partial","length":4,"brand":""}`, 400},
		{"a made-up brand", `{"field":"card_number","state":"partial","length":4,"brand":"4242424242424242"}`, 400},
		{"a made-up state", `{"field":"expiry","state":"4242","length":4,"brand":""}`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := b.do("POST", path, strings.NewReader(tt.body), map[string]string{"Content-Type": "application/json"})
			if resp.StatusCode != tt.status {
				t.Fatalf("%d", resp.StatusCode)
			}
		})
	}
	h := env.srv.Config.Handler.(*Handler)
	v := viewOf(p, h.hints.get(p.ID))
	if v.Fields[0].Words != "Visa, 6 of 16 digits" || !v.Fields[0].FromPage {
		t.Fatalf("agent view %+v", v.Fields[0])
	}
	t.Run("an unknown link", func(t *testing.T) {
		resp, _ := b.do("POST", "/pay/"+strings.Repeat("A", 43)+"/progress", strings.NewReader(`{"field":"expiry","state":"empty","length":0,"brand":""}`), nil)
		if resp.StatusCode != 404 {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
}

// recordingSender is a LinkSender that keeps what it was asked to send.
type recordingSender struct {
	mu   sync.Mutex
	to   []string
	msgs []payments.LinkMessage
}

func (s *recordingSender) Send(_ context.Context, to string, msg payments.LinkMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.to, s.msgs = append(s.to, to), append(s.msgs, msg)
	return nil
}

func TestDeskSendsTheLinkBySMS(t *testing.T) {
	sms := &recordingSender{}
	env := newDesk(t, map[string]payments.LinkSender{"sms": sms}, 1000)
	secret := env.enrolUser(t, "di@example.com", hushpay.RoleAgent)
	b := env.browser(t)
	b.signIn("di@example.com", env.code(t, secret))
	_, body := b.get("/agent")
	csrf := regexp.MustCompile(`name="csrf-token" content="([^"]+)"`).FindStringSubmatch(body)[1]
	_, p := b.api("POST", "/payments", csrf, map[string]any{"amount": "40", "currency": "EUR", "reference": "SMS-1", "method": "card"})
	tests := []struct {
		name, to string
		status   int
	}{
		{"a number that is not E.164", "0155 555", http.StatusBadRequest},
		{"no number", "", http.StatusBadRequest},
		{"an E.164 number", "+14155550100", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := b.api("POST", "/payments/"+p["id"].(string)+"/link", csrf, map[string]any{"channel": "sms", "to": tt.to})
			if resp.StatusCode != tt.status {
				t.Fatalf("%d %v", resp.StatusCode, out)
			}
			if tt.status == http.StatusOK && out["url"] != nil {
				t.Fatalf("a sent link came back to the desktop: %v", out)
			}
		})
	}
	if len(sms.msgs) != 1 || sms.to[0] != "+14155550100" {
		t.Fatalf("sent %d messages to %v", len(sms.msgs), sms.to)
	}
	m := sms.msgs[0]
	if m.Merchant != "Acme Health" || m.Amount != "40.00 EUR" || !strings.HasPrefix(m.URL, env.base+"/pay/") {
		t.Fatalf("message %+v", m)
	}
}

func TestSignInIsRateLimited(t *testing.T) {
	env := newDesk(t, nil, 3)
	b := env.browser(t)
	var resp *http.Response
	var body string
	for range 4 {
		resp, body = b.postForm("/signin", url.Values{"csrf": {b.formCSRF("/signin")}, "email": {"x@example.com"}, "password": {"p"}, "code": {"123456"}})
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "wait a minute") {
		t.Fatalf("fourth sign-in in a minute: %d %s", resp.StatusCode, body)
	}
}
