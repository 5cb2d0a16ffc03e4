package web

import (
	"context"
	"flag"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/notify"
	"github.com/hushpay/hushpay/internal/notify/notifytest"
	"github.com/hushpay/hushpay/internal/payments"
)

var screenshots = flag.Bool("screenshots", false, "write the browser tests' screenshots to docs/screenshots")

// chromiumPath returns Debian's chromium, skipping the test without it (failing under CI=true).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is required in CI (apt-get install chromium)")
	}
	t.Skip("chromium not installed (apt-get install chromium): skipping the browser tests")
	return ""
}

// newChromium starts one headless Chromium with a fresh profile for the test.
func newChromium(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// cspRecorder is installed in every page before its own scripts run: it keeps each Content
// Security Policy violation the browser reports.
const cspRecorder = `window.__csp = []; document.addEventListener('securitypolicyviolation', function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });`

// tab is one browser tab with its requests recorded.
type tab struct {
	ctx      context.Context
	mu       sync.Mutex
	requests []*network.Request
}

// openTab opens a tab (in a new browser context when isolated) with the viewport given.
func openTab(t *testing.T, parent context.Context, isolated bool, w, h int64, mobile bool) *tab {
	t.Helper()
	var opts []chromedp.ContextOption
	if isolated {
		opts = append(opts, chromedp.WithNewBrowserContext())
	}
	ctx, cancel := chromedp.NewContext(parent, opts...)
	t.Cleanup(cancel)
	tb := &tab{ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			tb.mu.Lock()
			tb.requests = append(tb.requests, e.Request)
			tb.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspRecorder}); err != nil {
		t.Fatal(err)
	}
	vp := []chromedp.EmulateViewportOption{}
	if mobile {
		vp = append(vp, chromedp.EmulateMobile, chromedp.EmulateScale(2))
	}
	tb.do(t, chromedp.EmulateViewport(w, h, vp...))
	return tb
}

func (tb *tab) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

func (tb *tab) text(t *testing.T, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// waitText waits until the element's text holds want; it polls across navigations.
func (tb *tab) waitText(t *testing.T, sel, want string) {
	t.Helper()
	expr := `(function(){var e=document.querySelector(` + jsString(sel) + `);return !!e && e.textContent.indexOf(` + jsString(want) + `)>=0;})()`
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`(document.querySelector(`+jsString(sel)+`)||{}).textContent||''`))
	t.Fatalf("%s never showed %q (it shows %q)", sel, want, got)
}

func (tb *tab) eval(t *testing.T, expr string) string {
	t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	return s
}

func (tb *tab) html(t *testing.T) string { return tb.eval(t, `document.documentElement.outerHTML`) }

func (tb *tab) screenshot(t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := t.TempDir()
	if *screenshots {
		dir = filepath.Join("..", "..", "docs", "screenshots")
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// cspViolations returns what the page's CSP blocked.
func (tb *tab) cspViolations(t *testing.T) string {
	return tb.eval(t, `window.__csp ? window.__csp.join('; ') : 'the CSP recorder is missing'`)
}

func jsString(s string) string {
	return `'` + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + `'`
}

// linkInMail returns the payment link of the email's plain-text part.
func linkInMail(t *testing.T, inbox <-chan notifytest.Mail) string {
	t.Helper()
	var m notifytest.Mail
	select {
	case m = <-inbox:
	case <-time.After(30 * time.Second):
		t.Fatal("no email arrived")
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			t.Fatal("the email has no text/plain part")
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, _ := io.ReadAll(p)
			if u := regexp.MustCompile(`http://127\.0\.0\.1:\d+/pay/[A-Za-z0-9_-]{43}`).FindString(string(b)); u != "" {
				return u
			}
			t.Fatalf("no link in the email:\n%s", b)
		}
	}
}

// TestBrowserPaymentByEmailLink drives a real headless Chromium: an agent signs in with password
// and TOTP, starts a payment, sends the link by email to a real SMTP server; a phone-sized browser
// context opens the link from the mail and types the card; the agent watches progress live.
func TestBrowserPaymentByEmailLink(t *testing.T) {
	browserCtx := newChromium(t)
	inbox := notifytest.NewSMTPServer(t, nil)
	smtp, err := notify.ParseSMTPURL("smtp://" + inbox.Addr + "?from=pay@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	env := newDesk(t, map[string]payments.LinkSender{"email": smtp}, 1000)
	secret := env.enrolUser(t, "agent@acme.test", hushpay.RoleAgent)

	desk := signInDesk(t, env, browserCtx, "agent@acme.test", secret)
	if got := desk.text(t, "#calls"); !strings.Contains(got, "No live calls") {
		t.Fatalf("calls list: %q", got)
	}

	tests := []struct {
		name, card, expiry string
		pageResult         string // what the phone shows at the end
		deskResult         string // what the agent sees at the end
		expired            bool
	}{
		{"an approved card", "4242 4242 4242 4242", "12/34", "Payment approved", "succeeded", false},
		{"a declined card", "4000 0000 0000 0002", "12/34", "Payment declined", "declined", false},
		{"an expired card", "4242 4242 4242 4242", "01/20", "This card has expired.", "cancelled", true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := "INV-" + string(rune('A'+i))
			desk.do(t, chromedp.SendKeys(chromedp.CSS("#amount"), "12.50"),
				chromedp.SendKeys(chromedp.CSS("#reference"), ref),
				chromedp.Click(chromedp.CSS("#start-form button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS("#payment")),
				chromedp.SendKeys(chromedp.CSS("#link-email"), "caller@example.com"),
				chromedp.Click(chromedp.CSS("#send-email")))
			desk.waitText(t, "#link-status", "Link sent by email")
			link := linkInMail(t, inbox.Inbox)

			phone := openTab(t, browserCtx, true, 390, 844, true)
			phone.do(t, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#card_number")),
				chromedp.SendKeys(chromedp.CSS("#card_number"), tt.card[:9]))
			phone.waitText(t, "#card_number-brand", "Visa")
			desk.waitText(t, `tr[data-field=card_number] .progress`, "Visa, 8 of 16 digits")
			if i == 0 {
				desk.screenshot(t, "agent-desktop-progress.png")
			}
			phone.do(t, chromedp.SendKeys(chromedp.CSS("#card_number"), tt.card[9:]))
			desk.waitText(t, `tr[data-field=card_number] .progress`, "Visa, card number valid")
			phone.do(t, chromedp.SendKeys(chromedp.CSS("#expiry"), tt.expiry), chromedp.SendKeys(chromedp.CSS("#security_code"), "123"))
			desk.waitText(t, `tr[data-field=security_code] .progress`, "Security code valid")
			if i == 0 {
				phone.screenshot(t, "payment-page.png")
			}
			phone.do(t, chromedp.Click(chromedp.CSS("button[type=submit]")))
			phone.waitText(t, "body", tt.pageResult)
			if tt.expired {
				desk.waitText(t, `tr[data-field=expiry] .progress`, "Expiry does not look right")
				p := env.paymentByRef(t, ref)
				if p.State != hushpay.PaymentCapturing {
					t.Fatalf("an expired card changed the payment to %s", p.State)
				}
				desk.do(t, chromedp.Click(chromedp.CSS("#cancel")))
			}
			desk.waitText(t, "#result", tt.deskResult)
			if i == 0 {
				desk.screenshot(t, "agent-desktop.png")
			}
			checkNoCardNumber(t, tt.card, link, desk, phone)
			for name, tb := range map[string]*tab{"desktop": desk, "payment page": phone} {
				if v := tb.cspViolations(t); v != "" {
					t.Errorf("%s: CSP violations: %s", name, v)
				}
			}
			if i == 0 {
				phone.screenshot(t, "payment-result.png")
				checkInlineScriptBlocked(t, phone)
				phone.do(t, chromedp.Navigate(link))
				phone.waitText(t, "body", "This payment link has already been used.")
			}
			desk.do(t, chromedp.Click(chromedp.CSS("#new-payment")), chromedp.WaitVisible(chromedp.CSS("#start-form")))
		})
	}
	t.Run("the supervisor view lists the three payments with the last four digits only", func(t *testing.T) {
		desk.do(t, chromedp.Click(chromedp.CSS(`nav a[href="/agent/payments"]`)), chromedp.WaitVisible(chromedp.CSS("table.payments")))
		for _, want := range []string{"INV-A", "INV-B", "INV-C", "Visa ···· 4242", "Visa ···· 0002", "declined", "cancelled"} {
			desk.waitText(t, "table.payments", want)
		}
		desk.screenshot(t, "payments.png")
		if v := desk.cspViolations(t); v != "" {
			t.Errorf("CSP violations: %s", v)
		}
	})
}

func (e *deskEnv) paymentByRef(t *testing.T, ref string) *hushpay.Payment {
	t.Helper()
	page, err := e.svc.List(context.Background(), hushpay.System("acme"), hushpay.PaymentFilter{Reference: ref, Limit: 1})
	if err != nil || len(page.Data) != 1 {
		t.Fatalf("payment %s: %v", ref, err)
	}
	return page.Data[0]
}

// checkNoCardNumber checks both pages and every request but the form's own submit for the card
// number, with or without spaces.
func checkNoCardNumber(t *testing.T, card, link string, tabs ...*tab) {
	t.Helper()
	digits := strings.ReplaceAll(card, " ", "")
	for _, tb := range tabs {
		if html := tb.html(t); strings.Contains(html, digits) || strings.Contains(html, card) {
			t.Errorf("a page holds the card number after the submit")
		}
		tb.mu.Lock()
		for _, r := range tb.requests {
			if r.Method == "POST" && r.URL == link {
				continue // the submit itself: the only request that carries the values
			}
			blob := r.URL
			for _, e := range r.PostDataEntries {
				blob += string(e.Bytes)
			}
			for k, v := range r.Headers {
				blob += k + ":" + strings.TrimSpace(toString(v))
			}
			if strings.Contains(blob, digits) || strings.Contains(blob, card) || strings.Contains(blob, strings.ReplaceAll(card, " ", "+")) {
				t.Errorf("request %s %s carries the card number", r.Method, r.URL)
			}
		}
		tb.mu.Unlock()
	}
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}

// checkInlineScriptBlocked injects an inline script into the payment page: the CSP must block it
// and report the violation.
func checkInlineScriptBlocked(t *testing.T, tb *tab) {
	t.Helper()
	tb.eval(t, `(function(){var s=document.createElement('script');s.textContent='window.__pwned=1';document.body.appendChild(s);return '';})()`)
	if got := tb.eval(t, `String(window.__pwned)`); got != "undefined" {
		t.Fatalf("an injected inline script ran")
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.__csp.length > 0`, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("the blocked inline script was not reported as a CSP violation")
	}
}

// signInDesk opens a 1280 px tab and signs in with password and TOTP.
func signInDesk(t *testing.T, env *deskEnv, browserCtx context.Context, email, secret string) *tab {
	t.Helper()
	desk := openTab(t, browserCtx, false, 1280, 900, false)
	desk.do(t, chromedp.Navigate(env.base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.SendKeys(chromedp.CSS("#code"), env.code(t, secret)),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#start-form")))
	return desk
}

// TestBrowserKeypadPaymentOnACall drives a keypad payment from the desktop: the live call is
// listed, the agent starts a payment on it, the caller's keys (fed as the voice path does) show
// as masked progress, a past expiry is explained, the agent resets it, and submits.
func TestBrowserKeypadPaymentOnACall(t *testing.T) {
	browserCtx := newChromium(t)
	env := newDesk(t, nil, 1000)
	secret := env.enrolUser(t, "kim@acme.test", hushpay.RoleAgent)
	call := &hushpay.Call{ID: "call_" + strings.Repeat("k", 26), Tenant: "acme", State: hushpay.CallActive, StartedAt: time.Now().Add(-90 * time.Second),
		Legs: []hushpay.CallLeg{{Role: hushpay.LegCaller, SIPCallID: "c1@carrier", From: "+14155550100", To: "+18005550199"},
			{Role: hushpay.LegAgent, SIPCallID: "a1@hushpay", From: "+14155550100", To: "sip:agents@pbx"}}}
	if err := env.store.CreateCall(context.Background(), call); err != nil {
		t.Fatal(err)
	}
	desk := signInDesk(t, env, browserCtx, "kim@acme.test", secret)
	if got := desk.text(t, "#calls"); !strings.Contains(got, "+14155550100") {
		t.Fatalf("live calls: %q", got)
	}
	desk.do(t, chromedp.SendKeys(chromedp.CSS("#amount"), "30"), chromedp.SendKeys(chromedp.CSS("#reference"), "KEY-1"))
	desk.eval(t, `document.getElementById('call').value = '`+call.ID+`'; ''`)
	desk.do(t, chromedp.Click(chromedp.CSS("#start-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#payment")))
	desk.waitText(t, "#pay-state", "capturing")
	p := env.paymentByRef(t, "KEY-1")
	keys := func(s string) {
		t.Helper()
		for i := range len(s) {
			if _, err := env.svc.Key(context.Background(), "acme", p.ID, s[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	keys("42424242")
	desk.waitText(t, `tr[data-field=card_number] .progress`, "Visa, 8 of 16 digits")
	keys("42424242#")
	desk.waitText(t, `tr[data-field=card_number] .progress`, "Visa, card number valid, ending 4242")
	keys("0120")
	desk.waitText(t, `tr[data-field=expiry] .progress`, "Expiry is in the past — ask the caller to re-enter")
	desk.do(t, chromedp.Click(chromedp.CSS(`button[data-action=reset][data-field=expiry]`)))
	desk.waitText(t, `tr[data-field=expiry] .progress`, "waiting for the caller")
	keys("1234123")
	if got, _ := env.svc.Get(context.Background(), hushpay.System("acme"), p.ID); got.State != hushpay.PaymentReady {
		t.Logf("state %s current %s fields %+v", got.State, got.CurrentField, got.Fields)
	}
	desk.waitText(t, "#pay-state", "ready")
	if html := desk.html(t); strings.Contains(html, "4242424242424242") {
		t.Fatal("the desktop holds the card number")
	}
	desk.do(t, chromedp.Click(chromedp.CSS("#submit")))
	desk.waitText(t, "#result", "Payment succeeded — approved")
	t.Run("on a tablet the desktop fits without sideways scrolling", func(t *testing.T) {
		desk.do(t, chromedp.EmulateViewport(820, 1180))
		if got := desk.eval(t, `String(document.documentElement.scrollWidth <= window.innerWidth)`); got != "true" {
			t.Fatalf("the page is wider than 820 px: %s px", desk.eval(t, `String(document.documentElement.scrollWidth)`))
		}
		desk.screenshot(t, "agent-desktop-tablet.png")
	})
	if v := desk.cspViolations(t); v != "" {
		t.Errorf("CSP violations: %s", v)
	}
}
