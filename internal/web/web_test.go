package web

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/payments"
	"github.com/hushpay/hushpay/internal/payments/paymentstest"
)

var agent = hushpay.Principal{Tenant: "acme", Role: hushpay.RoleAgent, Actor: "apikey:test"}

func newPages(t *testing.T, rate int) (*payments.Service, *httptest.Server) {
	t.Helper()
	f := paymentstest.New(t)
	svc, err := payments.New(payments.Config{Store: f.Store, Vault: f.Vault, Processors: f.Processors, Audit: f.Audit,
		PublicURL: "http://pay.test", Merchant: "Acme Health"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(Config{Payments: svc, RatePerMinute: rate}))
	t.Cleanup(func() { srv.Close(); svc.Close() })
	return svc, srv
}

func newLink(t *testing.T, svc *payments.Service) string {
	t.Helper()
	p, err := svc.Create(context.Background(), agent, payments.CreateRequest{Amount: 2500, Currency: "GBP", Reference: "ACC-9"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := svc.CreateLink(context.Background(), agent, p.ID, payments.LinkRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(l.URL, "http://pay.test")
}

func get(t *testing.T, srv *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func post(t *testing.T, srv *httptest.Server, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := http.PostForm(srv.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestPaymentPageIsLockedDown(t *testing.T) {
	svc, srv := newPages(t, 100)
	path := newLink(t, svc)
	resp, body := get(t, srv, path)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for h, want := range map[string]string{
		"Content-Security-Policy": ContentSecurityPolicy, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
		"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	for _, want := range []string{"Acme Health", "25.00 GBP", "ACC-9", `autocomplete="cc-number"`, `inputmode="numeric"`, `name="security_code"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, banned := range []string{"http://", "https://", "style=", "onclick", "javascript:"} {
		if strings.Contains(body, banned) {
			t.Errorf("page holds %q: no third-party resource, no inline style or handler", banned)
		}
	}
	checkScriptsPinned(t, srv, body, 1)
	css, _ := get(t, srv, "/static/pay.css")
	if css.StatusCode != 200 || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %q", css.StatusCode, css.Header.Get("Content-Type"))
	}
}

func TestBadInputGetsAClearPage(t *testing.T) {
	svc, srv := newPages(t, 100)
	path := newLink(t, svc)
	t.Run("an invalid card re-renders the form, says why, echoes nothing", func(t *testing.T) {
		resp, body := post(t, srv, path, url.Values{"card_number": {"4000 0566 5566 5555"}, "expiry": {"01/20"}, "security_code": {"987"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if !strings.Contains(body, "not valid") || !strings.Contains(body, "expired") {
			t.Errorf("page does not explain the errors:\n%s", body)
		}
		for _, echoed := range []string{"4000 0566", "4000056655665555", "987", "01/20"} {
			if strings.Contains(body, echoed) {
				t.Errorf("page echoes %q", echoed)
			}
		}
	})
	t.Run("an unknown token is 404", func(t *testing.T) {
		resp, body := get(t, srv, "/pay/"+strings.Repeat("A", 43))
		if resp.StatusCode != 404 || !strings.Contains(body, "not valid") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("an oversize form is refused", func(t *testing.T) {
		resp, _ := post(t, srv, path, url.Values{"card_number": {strings.Repeat("4", 100<<10)}})
		if resp.StatusCode != 400 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("a used link is 410 and charges nothing more", func(t *testing.T) {
		ok := url.Values{"card_number": {"4242424242424242"}, "expiry": {"12/34"}, "security_code": {"123"}}
		if resp, body := post(t, srv, path, ok); resp.StatusCode != 200 || !strings.Contains(body, "Payment approved") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		resp, body := post(t, srv, path, ok)
		if resp.StatusCode != 410 || !strings.Contains(body, "already") {
			t.Fatalf("replay: %d %s", resp.StatusCode, body)
		}
		if resp, _ := get(t, srv, path); resp.StatusCode != 410 {
			t.Fatalf("reopen: %d", resp.StatusCode)
		}
	})
}

func TestRateLimitPerLink(t *testing.T) {
	svc, srv := newPages(t, 5)
	path := newLink(t, svc)
	for i := 0; i < 5; i++ {
		if resp, _ := get(t, srv, path); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
	resp, body := get(t, srv, path)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "wait") {
		t.Fatalf("sixth request: %d %s", resp.StatusCode, body)
	}
}

var scriptTag = regexp.MustCompile(`<script([^>]*)>([^<]*)</script>`)
var scriptAttrs = regexp.MustCompile(`^ src="(/static/[a-z]+\.js)" integrity="(sha384-[A-Za-z0-9+/=]+)" defer$`)

// checkScriptsPinned checks that the page has want scripts, every one same-origin, with no inline
// code, pinned by an integrity hash that matches what /static serves.
func checkScriptsPinned(t *testing.T, srv *httptest.Server, body string, want int) {
	t.Helper()
	tags := scriptTag.FindAllStringSubmatch(body, -1)
	if len(tags) != want || strings.Count(body, "<script") != want {
		t.Fatalf("page has %d script tags, want %d", strings.Count(body, "<script"), want)
	}
	for _, tag := range tags {
		m := scriptAttrs.FindStringSubmatch(tag[1])
		if m == nil || tag[2] != "" {
			t.Fatalf("script tag %q is not a same-origin file with an integrity hash and no inline code", tag[0])
		}
		_, js := get(t, srv, m[1])
		sum := sha512.Sum384([]byte(js))
		if got := "sha384-" + base64.StdEncoding.EncodeToString(sum[:]); got != m[2] {
			t.Fatalf("%s: integrity %s does not match the served file (%s)", m[1], m[2], got)
		}
	}
}
