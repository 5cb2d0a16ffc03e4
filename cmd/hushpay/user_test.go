package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay/internal/config"
	"github.com/hushpay/hushpay/internal/users"
)

// webClient is a browser without a browser: a cookie jar, no redirects followed.
type webClient struct {
	t *testing.T
	c *http.Client
}

func newWebClient(t *testing.T) *webClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &webClient{t: t, c: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (w *webClient) get(u string) (int, http.Header, []byte) {
	w.t.Helper()
	resp, err := w.c.Get(u)
	if err != nil {
		w.t.Fatal(err)
	}
	return readResponse(w.t, resp)
}

func (w *webClient) post(u string, form url.Values) (int, http.Header, []byte) {
	w.t.Helper()
	resp, err := w.c.PostForm(u, form)
	if err != nil {
		w.t.Fatal(err)
	}
	return readResponse(w.t, resp)
}

func readResponse(t *testing.T, resp *http.Response) (int, http.Header, []byte) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([A-Za-z0-9_-]+)"`)

// formCSRF returns the CSRF token of the form on page.
func formCSRF(t *testing.T, page []byte) string {
	t.Helper()
	m := csrfInput.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field in the form:\n%s", page)
	}
	return string(m[1])
}

// createUser runs `hushpay user create` and returns the set-up link, which must be the last line
// of its output, alone.
func createUser(t *testing.T, s *server, email, role string) string {
	t.Helper()
	var out bytes.Buffer
	if code := run(context.Background(), []string{"user", "create", "--email", email, "--role", role}, &out, s.logs); code != 0 {
		t.Fatalf("user create exited %d; logs:\n%s", code, s.logs)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	link := lines[len(lines)-1]
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(s.base) + `/enrol/[A-Za-z0-9_-]{43}$`).MatchString(link) {
		t.Fatalf("the last line is not the set-up link alone: %q", link)
	}
	return link
}

// totpSecret reads the user's TOTP secret through the users manager, in-process, as the server
// itself does: opened from its sealed form with the vault.
func totpSecret(t *testing.T, enrolToken string) string {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Load("", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	u, err := a.users.Enrolment(ctx, enrolToken)
	if err != nil {
		t.Fatalf("the enrolment behind the link: %v", err)
	}
	return u.TOTPSecret
}

func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := users.TOTPCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestUserCreateEnrolSignIn(t *testing.T) {
	const email, password = "ana@example.com", "correct horse battery staple"
	s := startServer(t, nil)
	link := createUser(t, s, email, "agent")
	token := link[strings.LastIndex(link, "/")+1:]
	web := newWebClient(t)

	st, _, page := web.get(link)
	if st != http.StatusOK || !bytes.Contains(page, []byte(`src="/enrol/`+token+`/qr.png"`)) || !bytes.Contains(page, []byte(email)) {
		t.Fatalf("enrolment page: status %d, no QR image or email:\n%s", st, page)
	}
	st, h, png := web.get(link + "/qr.png")
	if st != http.StatusOK || h.Get("Content-Type") != "image/png" || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("QR image: status %d, type %q", st, h.Get("Content-Type"))
	}
	secret := totpSecret(t, token)
	if !bytes.Contains(page, []byte(secret)) {
		t.Fatal("the enrolment page's key for manual entry is not the user's secret")
	}

	// Enrol with the current code and sign in with the next one: a code is never accepted twice,
	// and the next step is inside the one-step drift window.
	st, h, page = web.post(link, url.Values{"csrf": {formCSRF(t, page)}, "password": {password},
		"password_again": {password}, "code": {totpCode(t, secret, time.Now())}})
	if st != http.StatusSeeOther || h.Get("Location") != "/signin?enrolled=1" {
		t.Fatalf("enrolment: status %d, location %q:\n%s", st, h.Get("Location"), page)
	}
	if st, _, _ := web.get(link); st != http.StatusGone {
		t.Errorf("the used set-up link answered %d, want 410", st)
	}

	st, _, page = web.get(s.base + "/signin")
	if st != http.StatusOK {
		t.Fatalf("sign-in page: status %d", st)
	}
	st, h, page = web.post(s.base+"/signin", url.Values{"csrf": {formCSRF(t, page)}, "email": {email},
		"password": {password}, "code": {totpCode(t, secret, time.Now().Add(30*time.Second))}})
	if st != http.StatusSeeOther || h.Get("Location") != "/agent" {
		t.Fatalf("sign-in: status %d, location %q:\n%s", st, h.Get("Location"), page)
	}
	st, _, page = web.get(s.base + "/agent")
	if st != http.StatusOK || !bytes.Contains(page, []byte(email)) {
		t.Fatalf("agent desktop: status %d, email shown %v", st, bytes.Contains(page, []byte(email)))
	}

	s.stop()
	t.Run("the secret is nowhere in the database files or the logs", func(t *testing.T) {
		var db []byte
		for _, f := range []string{"hushpay.db", "hushpay.db-wal", "hushpay.db-shm"} {
			b, _ := os.ReadFile(filepath.Join(s.dataDir, f))
			db = append(db, b...)
		}
		if !bytes.Contains(db, []byte(email)) {
			t.Fatal("the database files do not hold the user: the scan would prove nothing")
		}
		if bytes.Contains(db, []byte(secret)) {
			t.Error("the database files hold the TOTP secret in clear")
		}
		if strings.Contains(s.logs.String(), secret) {
			t.Error("the logs hold the TOTP secret")
		}
	})
}
