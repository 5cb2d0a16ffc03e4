package payments

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/hushpay/hushpay"
)

// linkTokenBytes is the randomness of a link token: 256 bits (the SPEC asks for at least 128).
const linkTokenBytes = 32

// CreateLink issues a single-use secure link for the payment and, with an email address or a phone
// number, sends it. The link expires after the link TTL, and never after the payment.
func (s *Service) CreateLink(ctx context.Context, pr hushpay.Principal, id string, req LinkRequest) (*LinkResult, error) {
	if err := require(pr, hushpay.PermOperatePayments); err != nil {
		return nil, err
	}
	channel, to, err := linkChannel(req)
	if err != nil {
		return nil, err
	}
	var sender LinkSender
	if channel != "chat" {
		if sender = s.cfg.Senders[channel]; sender == nil {
			return nil, &hushpay.Error{Kind: hushpay.KindUnavailable, Code: "delivery_not_configured",
				Field: channel, Message: channel + " delivery is not configured; use chat to get a URL to paste"}
		}
	}
	l := s.acquire(id)
	defer s.release(id, l)
	p, err := s.load(ctx, pr.Tenant, id)
	if err != nil {
		return nil, err
	}
	if !p.State.CanBecome(hushpay.PaymentCapturing) {
		return nil, stateConflict(p)
	}
	token := newLinkToken()
	now := s.now()
	link := &hushpay.Link{ID: newID("lnk_"), Tenant: p.Tenant, PaymentID: p.ID, TokenHash: hashToken(token),
		Channel: channel, CreatedAt: now, ExpiresAt: earliest(now.Add(s.cfg.LinkTTL), p.ExpiresAt)}
	if err := s.cfg.Store.CreateLink(ctx, link); err != nil {
		return nil, err
	}
	if p.State == hushpay.PaymentCreated {
		p.State = hushpay.PaymentCapturing
		if err := s.save(ctx, p, hushpay.EventPaymentUpdated); err != nil {
			return nil, err
		}
	}
	res := &LinkResult{URL: s.cfg.PublicURL + "/pay/" + token, ExpiresAt: link.ExpiresAt, Channel: channel}
	s.publish(p, hushpay.EventLinkCreated)
	s.record(ctx, pr, "link.created", "payment", p.ID, map[string]string{"link_id": link.ID, "channel": channel})
	if sender != nil {
		msg := LinkMessage{URL: res.URL, Merchant: s.cfg.Merchant, Amount: FormatAmount(p.Amount, p.Currency)}
		if err := sender.Send(ctx, to, msg); err != nil {
			s.log.Warn("link delivery failed", "payment", p.ID, "channel", channel, "err", err)
			s.publish(p, hushpay.EventLinkFailed)
			return nil, &hushpay.Error{Kind: hushpay.KindUnavailable, Code: "delivery_failed", Field: channel,
				Message: "the link could not be sent; try again or use chat"}
		}
		s.record(ctx, pr, "link.sent", "payment", p.ID, map[string]string{"link_id": link.ID, "channel": channel})
		s.publish(p, hushpay.EventLinkSent)
	}
	return res, nil
}

func linkChannel(req LinkRequest) (channel, to string, err error) {
	n := 0
	for _, set := range []bool{req.Email != "", req.Phone != "", req.Chat} {
		if set {
			n++
		}
	}
	if n > 1 {
		return "", "", hushpay.FieldError("email", "invalid_link_request", "give at most one of email, phone and chat")
	}
	switch {
	case req.Email != "":
		a, err := mail.ParseAddress(req.Email)
		if err != nil || a.Address != req.Email {
			return "", "", hushpay.FieldError("email", "invalid_email", "email must be a plain address like name@example.com")
		}
		return "email", req.Email, nil
	case req.Phone != "":
		if !validE164(req.Phone) {
			return "", "", hushpay.FieldError("phone", "invalid_phone", "phone must be in E.164 form, like +14155550100")
		}
		return "sms", req.Phone, nil
	}
	return "chat", "", nil
}

func validE164(s string) bool {
	rest, ok := strings.CutPrefix(s, "+")
	if !ok || len(rest) < 8 || len(rest) > 15 || rest[0] == '0' {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func newLinkToken() string {
	b := make([]byte, linkTokenBytes)
	if _, err := rand.Read(b); err != nil {
		panic("hushpay: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// FormatAmount renders minor units in the currency's major units, e.g. 1234 USD → "12.34 USD".
func FormatAmount(amount int64, currency string) string {
	_, units, _ := NormalizeCurrency(currency)
	if units == 0 {
		return fmt.Sprintf("%d %s", amount, currency)
	}
	div := int64(1)
	for range units {
		div *= 10
	}
	return fmt.Sprintf("%d.%0*d %s", amount/div, units, amount%div, currency)
}

// openLink resolves a link token to its link, checking it is still usable.
func (s *Service) openLink(ctx context.Context, token string) (*hushpay.Link, error) {
	if len(token) != base64.RawURLEncoding.EncodedLen(linkTokenBytes) {
		return nil, hushpay.NotFound("link")
	}
	link, err := s.cfg.Store.LinkByTokenHash(ctx, hashToken(token))
	if err != nil {
		return nil, err
	}
	if link.UsedAt != nil {
		return link, &hushpay.Error{Kind: hushpay.KindGone, Code: "link_used", Message: "this link has already been used"}
	}
	if !s.now().Before(link.ExpiresAt) {
		return link, &hushpay.Error{Kind: hushpay.KindGone, Code: "link_expired", Message: "this link has expired"}
	}
	return link, nil
}

// OpenLink returns what the hosted page shows for a link token: KindNotFound for an unknown token,
// KindGone for a used, cancelled or expired one.
func (s *Service) OpenLink(ctx context.Context, token string) (*LinkPage, error) {
	link, err := s.openLink(ctx, token)
	if err != nil {
		return nil, err
	}
	p, err := s.cfg.Store.GetPayment(ctx, link.Tenant, link.PaymentID)
	if err != nil {
		return nil, err
	}
	if p.State.Final() || p.State == hushpay.PaymentProcessing {
		return &LinkPage{Payment: p, Merchant: s.cfg.Merchant}, &hushpay.Error{Kind: hushpay.KindGone, Code: "payment_" + string(p.State),
			Message: "this payment is " + string(p.State)}
	}
	return &LinkPage{Payment: p, Merchant: s.cfg.Merchant}, nil
}

// SubmitLink captures the hosted form's whole fields through the capture engine and, once every
// field is valid, uses up the link and submits the payment, whatever auto_submit says. A validation
// error leaves the link usable (up to the attempt limit per field) and returns the payment with its
// invalid fields and a nil error.
func (s *Service) SubmitLink(ctx context.Context, token string, form map[hushpay.FieldName]string) (*hushpay.Payment, error) {
	link, err := s.openLink(ctx, token)
	if err != nil {
		return nil, err
	}
	pr := hushpay.Principal{Tenant: link.Tenant, Role: hushpay.RoleAgent, Actor: "caller:link"}
	l := s.acquire(link.PaymentID)
	defer s.release(link.PaymentID, l)
	p, err := s.cfg.Store.GetPayment(ctx, link.Tenant, link.PaymentID)
	if err != nil {
		return nil, err
	}
	if !p.State.CanBecome(hushpay.PaymentCapturing) {
		return p, &hushpay.Error{Kind: hushpay.KindGone, Code: "payment_" + string(p.State), Message: "this payment is " + string(p.State)}
	}
	if l.session == nil {
		s.newSession(l, p)
	}
	now := s.now()
	for _, f := range p.Capture {
		l.session.SetField(f, form[f], now)
	}
	complete, exhausted := l.session.Complete(), l.session.Exhausted()
	if complete || exhausted {
		if err := s.cfg.Store.UseLink(ctx, link.Tenant, link.ID, now); err != nil {
			return nil, err // a concurrent submit won: KindGone
		}
		s.record(ctx, pr, "link.used", "payment", p.ID, map[string]string{"link_id": link.ID})
	}
	if !complete || exhausted {
		if err := s.afterCapture(ctx, pr, p, l); err != nil {
			return nil, err
		}
		return p.Clone(), nil
	}
	s.syncFields(p, l)
	if err := s.submitLocked(ctx, pr, p, l); err != nil {
		return nil, err
	}
	return p.Clone(), nil
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
