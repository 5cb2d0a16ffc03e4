package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"time"

	"github.com/hushpay/hushpay/internal/payments"
)

// SMTP sends links by email.
type SMTP struct {
	Addr     string // host:port
	Username string // empty: no authentication
	Password string
	From     string // the envelope and header sender
	// StartTLS is "auto" (upgrade when the server offers it; the default), "required" or "none".
	StartTLS  string
	TLSConfig *tls.Config // nil: the system roots, server name from Addr
	Retry     Retry
	Timeout   time.Duration // per attempt (default 30 s)
	Clock     func() time.Time
}

var _ payments.LinkSender = (*SMTP)(nil)

// ParseSMTPURL reads HUSHPAY_SMTP_URL: smtp://user:pass@host:587?from=pay@example.com with
// optional starttls=auto|required|none (default auto; required when credentials are given, so a
// password never crosses the network in clear).
func ParseSMTPURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return nil, errors.New("smtp_url: want smtp://[user:pass@]host[:port]?from=address")
	}
	s := &SMTP{Addr: u.Host, StartTLS: "auto"}
	if u.Port() == "" {
		s.Addr = net.JoinHostPort(u.Hostname(), "587")
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
		s.StartTLS = "required"
	}
	q := u.Query()
	if v := q.Get("starttls"); v != "" {
		if v != "auto" && v != "required" && v != "none" {
			return nil, errors.New("smtp_url: starttls must be auto, required or none")
		}
		s.StartTLS = v
	}
	from, err := mail.ParseAddress(q.Get("from"))
	if err != nil {
		return nil, errors.New("smtp_url: from= must be an email address")
	}
	s.From = from.Address
	return s, nil
}

// Send emails the link to one address, retrying temporary failures.
func (s *SMTP) Send(ctx context.Context, to string, msg payments.LinkMessage) error {
	now := time.Now
	if s.Clock != nil {
		now = s.Clock
	}
	body, err := buildMail(s.From, to, msg, now())
	if err != nil {
		return err
	}
	return s.Retry.do(ctx, func(ctx context.Context) error { return s.sendOnce(ctx, to, body) })
}

func (s *SMTP) sendOnce(ctx context.Context, to string, body []byte) error {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return temporary{fmt.Errorf("notify: smtp: connect: %w", err)}
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return classify("greeting", err)
	}
	defer c.Close()
	if err := s.secure(c, host); err != nil {
		return err
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return classify("auth", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return classify("MAIL FROM", err)
	}
	if err := c.Rcpt(to); err != nil {
		return classify("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return classify("DATA", err)
	}
	if _, err := w.Write(body); err != nil {
		return classify("DATA", err)
	}
	if err := w.Close(); err != nil {
		return classify("DATA", err)
	}
	return classify("QUIT", c.Quit())
}

func (s *SMTP) secure(c *smtp.Client, host string) error {
	if s.StartTLS == "none" {
		return nil
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		if s.StartTLS == "required" {
			return errors.New("notify: smtp: the server does not offer STARTTLS")
		}
		return nil
	}
	cfg := s.TLSConfig
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	return classify("STARTTLS", c.StartTLS(cfg))
}

// classify wraps an SMTP error: a 4xx reply or a network failure is temporary, a 5xx is not.
func classify(step string, err error) error {
	if err == nil {
		return nil
	}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		// Only the reply code: the reply's text may repeat the recipient's address.
		coded := fmt.Errorf("notify: smtp: %s: the server answered %d", step, tp.Code)
		if tp.Code >= 400 && tp.Code < 500 {
			return temporary{coded}
		}
		return coded
	}
	wrapped := fmt.Errorf("notify: smtp: %s: %w", step, err)
	var ne net.Error
	if errors.As(err, &ne) {
		return temporary{wrapped}
	}
	return wrapped
}
