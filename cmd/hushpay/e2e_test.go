package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay/internal/payments/paymentstest"
	"github.com/hushpay/hushpay/internal/store/postgres"
	"github.com/hushpay/hushpay/internal/store/storetest"
	_ "modernc.org/sqlite"
)

// server is a hushpay serve process run in-process, as a user runs it, on a free port.
type server struct {
	t       *testing.T
	base    string
	dataDir string
	logs    *paymentstest.LogBuffer
	stop    func()
	seen    *paymentstest.LogBuffer // every HTTP response (status line, headers, body) the test received
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs `hushpay serve` with the given extra environment and waits until it answers.
func startServer(t *testing.T, env map[string]string) *server {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	t.Setenv("HUSHPAY_DATA_DIR", dir)
	t.Setenv("HUSHPAY_HTTP_ADDR", addr)
	t.Setenv("HUSHPAY_SIP_ADDR", freeAddr(t))
	for k, v := range env {
		t.Setenv(k, v)
	}
	s := &server{t: t, base: "http://" + addr, dataDir: dir, logs: &paymentstest.LogBuffer{}, seen: &paymentstest.LogBuffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- run(ctx, []string{"serve"}, io.Discard, s.logs) }()
	s.stop = func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d; logs:\n%s", code, s.logs)
			}
		case <-time.After(40 * time.Second):
			t.Error("serve did not stop within 40 s of SIGTERM")
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d before answering; logs:\n%s", code, s.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer in 30 s; logs:\n%s", s.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// apiKey creates an API key with the CLI, as the README says, and returns the last line of stdout.
func (s *server) apiKey(role string) string {
	s.t.Helper()
	var out bytes.Buffer
	if code := run(context.Background(), []string{"apikey", "create", "--role", role}, &out, s.logs); code != 0 {
		s.t.Fatalf("apikey create exited %d; logs:\n%s", code, s.logs)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// do sends a request and records the whole response for the canary scan.
func (s *server) do(method, path, key, contentType string, body io.Reader) (int, http.Header, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	fmt.Fprintf(s.seen, "%s %s -> %d\n", method, path, resp.StatusCode)
	_ = resp.Header.Write(s.seen)
	s.seen.Write(b)
	return resp.StatusCode, resp.Header, b
}

func (s *server) json(method, path, key string, in any, out any) int {
	s.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	status, _, b := s.do(method, path, key, "application/json", body)
	if out != nil && status < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return status
}

type paymentView struct {
	ID           string                     `json:"id"`
	State        string                     `json:"state"`
	Amount       int64                      `json:"amount"`
	Currency     string                     `json:"currency"`
	Fields       map[string]json.RawMessage `json:"fields"`
	Outcome      *struct{ Code string }     `json:"outcome"`
	CurrentField string                     `json:"current_field"`
}

// payByLink creates a payment, opens its link and posts the plain form; it returns the payment.
func (s *server) payByLink(key string, form url.Values) paymentView {
	s.t.Helper()
	var p paymentView
	method := "card"
	if form.Get("routing_number") != "" {
		method = "ach"
	}
	if st := s.json("POST", "/v1/payments", key, map[string]any{"amount": 1250, "currency": "usd", "reference": "INV-1001", "method": method}, &p); st != 201 && st != 200 {
		s.t.Fatalf("create payment: status %d", st)
	}
	var link struct{ URL string }
	if st := s.json("POST", "/v1/payments/"+p.ID+"/link", key, map[string]any{}, &link); st != 200 && st != 201 {
		s.t.Fatalf("create link: status %d", st)
	}
	events := s.streamEvents(key, p.ID)
	u, err := url.Parse(link.URL)
	if err != nil || !strings.HasPrefix(link.URL, s.base+"/pay/") {
		s.t.Fatalf("link URL %q not on the public URL %s", link.URL, s.base)
	}
	if st, h, _ := s.do("GET", u.Path, "", "", nil); st != 200 || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		s.t.Fatalf("payment page: status %d, CSP %q", st, h.Get("Content-Security-Policy"))
	}
	st, _, page := s.do("POST", u.Path, "", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if st != 200 {
		s.t.Fatalf("form post: status %d\n%s", st, page)
	}
	if st, _, _ := s.do("POST", u.Path, "", "application/x-www-form-urlencoded", strings.NewReader(form.Encode())); st != 410 {
		s.t.Errorf("a used link answered %d, want 410", st)
	}
	var after paymentView
	s.json("GET", "/v1/payments/"+p.ID, key, nil, &after)
	if stream := events(); !strings.Contains(stream, `"state":"`+after.State+`"`) {
		s.t.Errorf("the event stream did not show the final state %s:\n%s", after.State, stream)
	}
	return after
}

// streamEvents reads the payment's Server-Sent Events in the background, into the canary record;
// the returned func waits for the stream to end (it ends when the payment is final).
func (s *server) streamEvents(key, id string) func() string {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.base+"/v1/payments/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		cancel()
		s.t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		s.t.Fatalf("events: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	done := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- string(b)
	}()
	return func() string {
		defer cancel()
		stream := <-done
		s.seen.Write([]byte(stream))
		return stream
	}
}

func cardForm(number, expiry, cvc string) url.Values {
	return url.Values{"card_number": {number}, "expiry": {expiry}, "security_code": {cvc}}
}

// testCards are the numbers and codes whose appearance anywhere is a leak.
var testCards = []struct{ number, cvc, want, outcome string }{
	{"4242424242424242", "314", "succeeded", "approved"},
	{"5555 5555 5555 4444", "271", "succeeded", "approved"},
	{"378282246310005", "8237", "succeeded", "approved"},
	{"4000000000000002", "592", "declined", "card_declined"},
	{"4000-0000-0000-9995", "613", "declined", "insufficient_funds"},
	{"4000000000000119", "748", "failed", "processing_error"},
}

const (
	achRouting = "110000000"
	achAccount = "000123456789"
)

func TestServeTakesLinkPaymentsWithoutLeakingCardData(t *testing.T) {
	t.Run("on SQLite", func(t *testing.T) {
		s := startServer(t, nil)
		takePayments(t, s)
		s.stop()
		assertNoCardData(t, "logs", s.logs.String())
		assertNoCardData(t, "HTTP responses", s.seen.String())
		for _, f := range []string{"hushpay.db", "hushpay.db-wal", "hushpay.db-shm"} {
			b, err := os.ReadFile(filepath.Join(s.dataDir, f))
			if f == "hushpay.db" && (err != nil || !bytes.Contains(b, []byte("INV-1001"))) {
				t.Fatalf("the database file does not hold the payments (%v): the scan would prove nothing", err)
			}
			assertNoCardData(t, f, string(b))
		}
		verifyAuditThenTamper(t, s, func() {
			db, err := sql.Open("sqlite", filepath.Join(s.dataDir, "hushpay.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, stmt := range []string{
				"DROP TRIGGER audit_entries_no_update",
				`UPDATE audit_entries SET actor = 'apikey:someone-else' WHERE seq = 3`,
			} {
				if _, err := db.Exec(stmt); err != nil {
					t.Fatalf("tamper: %v", err)
				}
			}
		})
	})
	t.Run("on PostgreSQL", func(t *testing.T) {
		dsn := storetest.PostgresURL(t)
		s := startServer(t, map[string]string{"HUSHPAY_DATABASE": dsn})
		takePayments(t, s)
		s.stop()
		assertNoCardData(t, "logs", s.logs.String())
		assertNoCardData(t, "HTTP responses", s.seen.String())
		pg, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer pg.Close()
		var dump bytes.Buffer
		if err := pg.Dump(context.Background(), &dump); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(dump.String(), "INV-1001") {
			t.Fatal("the dump does not hold the payments: the scan would prove nothing")
		}
		assertNoCardData(t, "PostgreSQL tables", dump.String())
	})
}

// takePayments runs every test card and an ACH debit through a link, and a bad check digit that is
// corrected on the same link.
func takePayments(t *testing.T, s *server) {
	agent := s.apiKey("agent")
	expiry := time.Now().AddDate(2, 0, 0).Format("01/06")
	for _, c := range testCards {
		t.Run(strings.ReplaceAll(c.number, " ", "")+" ends "+c.want, func(t *testing.T) {
			p := s.payByLink(agent, cardForm(c.number, expiry, c.cvc))
			if p.State != c.want || p.Outcome == nil || p.Outcome.Code != c.outcome {
				t.Fatalf("payment %s: state %s outcome %+v, want %s/%s", p.ID, p.State, p.Outcome, c.want, c.outcome)
			}
		})
	}
	t.Run("ACH debit succeeds", func(t *testing.T) {
		p := s.payByLink(agent, url.Values{"routing_number": {achRouting}, "account_number": {achAccount}, "account_type": {"checking"}})
		if p.State != "succeeded" {
			t.Fatalf("state %s", p.State)
		}
	})
	t.Run("a bad check digit keeps the link usable and is never echoed", func(t *testing.T) {
		var p paymentView
		s.json("POST", "/v1/payments", agent, map[string]any{"amount": 500, "currency": "EUR", "reference": "INV-2"}, &p)
		var link struct{ URL string }
		s.json("POST", "/v1/payments/"+p.ID+"/link", agent, map[string]any{}, &link)
		u, _ := url.Parse(link.URL)
		st, _, page := s.do("POST", u.Path, "", "application/x-www-form-urlencoded", strings.NewReader(cardForm("4242424242424241", expiry, "123").Encode()))
		if st != 422 || !bytes.Contains(page, []byte("not valid")) || bytes.Contains(page, []byte("4242424242424241")) {
			t.Fatalf("status %d; page:\n%s", st, page)
		}
		p2 := paymentView{}
		s.json("GET", "/v1/payments/"+p.ID, agent, nil, &p2)
		if p2.State == "succeeded" {
			t.Fatal("an invalid card was charged")
		}
		st, _, page = s.do("POST", u.Path, "", "application/x-www-form-urlencoded", strings.NewReader(cardForm("4242424242424242", expiry, "123").Encode()))
		if st != 200 || !bytes.Contains(page, []byte("Payment approved")) {
			t.Fatalf("corrected form: status %d\n%s", st, page)
		}
	})
}

// verifyAuditThenTamper runs `hushpay audit verify` on the server's database: it must pass, then
// fail naming the entry after tamper edits a row.
func verifyAuditThenTamper(t *testing.T, s *server, tamper func()) {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"audit", "verify"}, &out, &errOut); code != 0 {
		t.Fatalf("audit verify on an intact trail exited %d: %s %s", code, out.String(), errOut.String())
	}
	tamper()
	out.Reset()
	errOut.Reset()
	code := run(context.Background(), []string{"audit", "verify"}, &out, &errOut)
	if code != 1 || !strings.Contains(out.String()+errOut.String(), "3") {
		t.Fatalf("audit verify after tampering exited %d:\n%s%s", code, out.String(), errOut.String())
	}
}

// reporter is the part of testing.T the canary scan reports through.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// failures records what the canary scan reports, to test the scan itself.
type failures struct{ n int }

func (f *failures) Helper()               {}
func (f *failures) Errorf(string, ...any) { f.n++ }

// assertNoCardData fails if any test card number, security code (next to card context) or bank
// account number appears in text, with or without separators.
func assertNoCardData(t reporter, sink, text string) {
	t.Helper()
	digitsOnly := regexp.MustCompile(`[ -]`)
	compact := digitsOnly.ReplaceAllString(text, "")
	for _, c := range testCards {
		n := digitsOnly.ReplaceAllString(c.number, "")
		if strings.Contains(compact, n) {
			t.Errorf("%s holds the card number %s…", sink, n[:6])
		}
		if regexp.MustCompile(`(?i)(cvc|cvv|security_code)\W{0,4}` + c.cvc).MatchString(text) {
			t.Errorf("%s holds a security code", sink)
		}
	}
	if strings.Contains(compact, achAccount) {
		t.Errorf("%s holds the bank account number", sink)
	}
}

func TestCanaryScanFindsPlantedData(t *testing.T) {
	for _, text := range []string{
		"log line pan=4242424242424242",
		`{"n":"5555 5555 5555 4444"}`,
		"cvc=314",
		"acct 000123456789",
	} {
		var f failures
		assertNoCardData(&f, "planted", text)
		if f.n == 0 {
			t.Errorf("the canary scan missed %q", text)
		}
	}
}
