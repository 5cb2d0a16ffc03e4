package payments

import (
	"context"
	"time"

	"github.com/hushpay/hushpay"
)

// Intervals of the background maintenance loop.
const (
	expirySweepEvery   = 5 * time.Second
	retentionSweepEvry = time.Hour
	idempotencyKeep    = 24 * time.Hour
)

// Run expires overdue payments and purges old data until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	expiry := time.NewTicker(expirySweepEvery)
	defer expiry.Stop()
	retention := time.NewTicker(retentionSweepEvry)
	defer retention.Stop()
	s.purge(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-expiry.C:
			if _, err := s.ExpireOverdue(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("expiry sweep failed", "err", err)
			}
		case <-retention.C:
			s.purge(ctx)
		}
	}
}

// ExpireOverdue moves every payment past its expiry time to expired and returns how many.
func (s *Service) ExpireOverdue(ctx context.Context) (int, error) {
	n := 0
	for {
		due, err := s.cfg.Store.ListExpiring(ctx, s.now(), 100)
		if err != nil || len(due) == 0 {
			return n, err
		}
		progressed := false
		for _, p := range due {
			_, err := s.end(ctx, hushpay.System(p.Tenant), p.ID, hushpay.PaymentExpired, hushpay.OutcomeExpired, "the payment expired")
			if err == nil {
				n++
				progressed = true
			} else if !hushpay.IsConflict(err) {
				return n, err
			}
		}
		if !progressed {
			return n, nil
		}
	}
}

// purge deletes final payments older than the retention period and forgotten idempotency records.
func (s *Service) purge(ctx context.Context) {
	now := s.now()
	if s.cfg.Retention > 0 {
		if n, err := s.cfg.Store.DeletePaymentsBefore(ctx, now.Add(-s.cfg.Retention)); err != nil {
			s.log.Warn("retention purge failed", "err", err)
		} else if n > 0 {
			s.log.Info("retention purge", "payments_deleted", n)
		}
	}
	if _, err := s.cfg.Store.DeleteIdempotencyBefore(ctx, now.Add(-idempotencyKeep)); err != nil {
		s.log.Warn("idempotency purge failed", "err", err)
	}
}
