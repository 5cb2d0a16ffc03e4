package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hushpay/hushpay/internal/payments"
)

// SMSProvider sends one text message. A connector for another SMS gateway implements it.
type SMSProvider interface {
	SendSMS(ctx context.Context, to, body string) error
}

// SMS delivers links by text message through a provider, retrying temporary failures.
type SMS struct {
	Provider SMSProvider
	Retry    Retry
}

var _ payments.LinkSender = (*SMS)(nil)

// Send texts the link to an E.164 number.
func (s *SMS) Send(ctx context.Context, to string, msg payments.LinkMessage) error {
	body := fmt.Sprintf("%s: pay %s securely at %s (single use, expires soon)", msg.Merchant, msg.Amount, msg.URL)
	return s.Retry.do(ctx, func(ctx context.Context) error { return s.Provider.SendSMS(ctx, to, body) })
}

// Twilio is a connector for Twilio's Messages API, or any service that speaks it:
// POST {BaseURL}/2010-04-01/Accounts/{AccountSID}/Messages.json with To, From and Body, HTTP basic
// authentication with the account SID and auth token.
type Twilio struct {
	BaseURL    string // https://api.twilio.com
	AccountSID string
	AuthToken  string
	From       string // the sending number (E.164) or messaging service
	Client     *http.Client
}

// ParseSMSURL reads HUSHPAY_SMS_URL: https://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com?from=+15005550006
// (the base URL may be any Twilio-compatible service, http:// only for a loopback test server).
func ParseSMSURL(raw string) (*Twilio, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User == nil {
		return nil, errors.New("sms_url: want https://ACCOUNT_SID:AUTH_TOKEN@host?from=NUMBER")
	}
	token, _ := u.User.Password()
	from := u.Query().Get("from")
	if u.User.Username() == "" || token == "" || from == "" {
		return nil, errors.New("sms_url: the account SID, auth token and from= are all required")
	}
	base := url.URL{Scheme: u.Scheme, Host: u.Host, Path: strings.TrimRight(u.Path, "/")}
	return &Twilio{BaseURL: base.String(), AccountSID: u.User.Username(), AuthToken: token, From: from}, nil
}

// SendSMS posts one message; a 429 or 5xx answer or a network error is temporary.
func (t *Twilio) SendSMS(ctx context.Context, to, body string) error {
	form := url.Values{"To": {to}, "From": {t.From}, "Body": {body}}
	endpoint := t.BaseURL + "/2010-04-01/Accounts/" + url.PathEscape(t.AccountSID) + "/Messages.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("notify: sms: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(t.AccountSID, t.AuthToken)
	client := t.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return temporary{fmt.Errorf("notify: sms: request failed: %w", errors.Unwrap(err))}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return temporary{fmt.Errorf("notify: sms: the provider answered %d", resp.StatusCode)}
	}
	return fmt.Errorf("notify: sms: the provider refused the message (%d)", resp.StatusCode)
}
