package payments

import (
	"context"
	"strconv"

	"github.com/hushpay/hushpay"
)

// erasedText replaces personal free text when a caller's data is erased.
const erasedText = "[erased]"

// Erase erases a caller's data by payment reference (GDPR Art. 17): every final payment with that
// reference loses its vaulted token, description, metadata and reference; amounts, states and
// outcomes stay for accounting, and the audit trail keeps the fact of the erasure. Payments still
// in progress are refused so nothing is lost mid-flight. It returns how many payments it erased.
func (s *Service) Erase(ctx context.Context, pr hushpay.Principal, reference string) (int, error) {
	if err := require(pr, hushpay.PermAdminister); err != nil {
		return 0, err
	}
	if reference == "" || reference == erasedText {
		return 0, hushpay.FieldError("reference", "invalid_reference", "reference is required")
	}
	list, err := s.cfg.Store.ListByReference(ctx, pr.Tenant, reference)
	if err != nil {
		return 0, err
	}
	for _, p := range list {
		if !p.State.Final() {
			return 0, &hushpay.Error{Kind: hushpay.KindConflict, Code: "payment_in_progress",
				Message: "a payment with this reference is still in progress; cancel it first"}
		}
	}
	n := 0
	for _, p := range list {
		if err := s.erase(ctx, pr, p.ID); err != nil {
			return n, err
		}
		n++
	}
	s.record(ctx, pr, "erasure.completed", "erasure", newID("era_"), map[string]string{"payments": strconv.Itoa(n)})
	return n, nil
}

func (s *Service) erase(ctx context.Context, pr hushpay.Principal, id string) error {
	l := s.acquire(id)
	defer s.release(id, l)
	p, err := s.load(ctx, pr.Tenant, id)
	if err != nil {
		return err
	}
	if p.TokenID != "" {
		if err := s.cfg.Store.DeleteToken(ctx, p.Tenant, p.TokenID); err != nil && !hushpay.IsNotFound(err) {
			return err
		}
		p.TokenID = ""
	}
	now := s.now()
	p.Reference, p.Description, p.Metadata, p.ErasedAt = erasedText, "", map[string]string{}, &now
	if err := s.save(ctx, p, hushpay.EventPaymentUpdated); err != nil {
		return err
	}
	s.record(ctx, pr, "payment.erased", "payment", p.ID, nil)
	return nil
}
