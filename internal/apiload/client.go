package apiload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Test card posted on every payment form: a public Stripe test number the sandbox approves, a
// future expiry and a security code.
const (
	testCardNumber   = "4242424242424242"
	testSecurityCode = "123"
)

// client drives one server's API and payment pages as an agent and a caller would.
type client struct {
	http   *http.Client
	base   string
	key    string // the agent's API key
	run    string // makes this run's Idempotency-Keys unique
	expiry string // MM/YY, next year
}

// newClient returns a client that keeps one connection per worker alive, so the run measures
// requests and not TCP handshakes.
func newClient(base, key string, workers int, now time.Time) *client {
	tr := &http.Transport{MaxIdleConns: workers, MaxIdleConnsPerHost: workers, IdleConnTimeout: time.Minute}
	return &client{http: &http.Client{Transport: tr, Timeout: time.Minute}, base: base, key: key,
		run: randomHex(4), expiry: fmt.Sprintf("12/%02d", (now.Year()+1)%100)}
}

func (c *client) close() { c.http.CloseIdleConnections() }

// payment is the part of the API's payment view the load checks.
type payment struct {
	ID    string `json:"id"`
	State string `json:"state"`
}

// createPayment posts a new payment with an Idempotency-Key unique to the run, worker and seq.
func (c *client) createPayment(ctx context.Context, worker, seq int) (string, error) {
	body := fmt.Sprintf(`{"amount":1250,"currency":"usd","reference":"LOAD-%d-%d"}`, worker, seq)
	req, err := c.jsonRequest(ctx, "POST", "/v1/payments", body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Idempotency-Key", fmt.Sprintf("apiload-%s-%d-%d", c.run, worker, seq))
	var p payment
	if err := c.do(req, http.StatusCreated, &p); err != nil {
		return "", err
	}
	if p.ID == "" {
		return "", errors.New("the created payment has no id")
	}
	return p.ID, nil
}

// createLink asks for a chat link and returns the path of its URL (/pay/TOKEN).
func (c *client) createLink(ctx context.Context, id string) (string, error) {
	req, err := c.jsonRequest(ctx, "POST", "/v1/payments/"+id+"/link", "{}")
	if err != nil {
		return "", err
	}
	var link struct{ URL string }
	if err := c.do(req, http.StatusCreated, &link); err != nil {
		return "", err
	}
	u, err := url.Parse(link.URL)
	if err != nil || !strings.HasPrefix(u.Path, "/pay/") {
		return "", errors.New("the link is not a /pay/ URL")
	}
	return u.Path, nil
}

// submitForm posts the payment page's plain HTML form with the test card; the answer must be the
// approved result page.
func (c *client) submitForm(ctx context.Context, path string) error {
	form := url.Values{"card_number": {testCardNumber}, "expiry": {c.expiry}, "security_code": {testSecurityCode}}
	req, err := http.NewRequestWithContext(ctx, "POST", c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	page, err := c.send(req, http.StatusOK)
	if err != nil {
		return err
	}
	if !bytes.Contains(page, []byte("Payment approved")) {
		return errors.New("the result page does not say the payment was approved")
	}
	return nil
}

// getPayment reads the payment back; it must have succeeded.
func (c *client) getPayment(ctx context.Context, id string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+"/v1/payments/"+id, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	var p payment
	if err := c.do(req, http.StatusOK, &p); err != nil {
		return err
	}
	if p.State != "succeeded" {
		return fmt.Errorf("the payment is %q, not succeeded", p.State)
	}
	return nil
}

func (c *client) jsonRequest(ctx context.Context, method, path, body string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// do sends req, expects status and decodes the JSON answer into out.
func (c *client) do(req *http.Request, status int, out any) error {
	body, err := c.send(req, status)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the expected JSON", req.Method, routeOf(req))
	}
	return nil
}

// send sends req and reads the whole answer, which must have the given status.
func (c *client) send(req *http.Request, status int) ([]byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the URL, and a /pay/ URL holds the link token
		}
		return nil, fmt.Errorf("%s %s: %w", req.Method, routeOf(req), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", req.Method, routeOf(req), err)
	}
	if resp.StatusCode != status {
		return nil, fmt.Errorf("%s %s: status %d, want %d", req.Method, routeOf(req), resp.StatusCode, status)
	}
	return body, nil
}

// routeOf names the request's route without its identifiers or link token.
func routeOf(req *http.Request) string {
	p := req.URL.Path
	switch {
	case strings.HasPrefix(p, "/pay/"):
		return "/pay/{token}"
	case strings.HasSuffix(p, "/link"):
		return "/v1/payments/{id}/link"
	case strings.HasPrefix(p, "/v1/payments/"):
		return "/v1/payments/{id}"
	}
	return p
}
