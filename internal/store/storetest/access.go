package storetest

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
)

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func newAPIKey(tenant, id string, role hushpay.Role, created time.Time) *hushpay.APIKey {
	return &hushpay.APIKey{ID: id, Tenant: tenant, Role: role, Name: "desk " + id, Hash: hash("secret-" + id), CreatedAt: created}
}

func testAPIKeys(t *testing.T, open Opener) {
	t.Run("a key is found by the hash of its secret", func(t *testing.T) {
		s := open(t)
		k := newAPIKey("acme", "hpk_1", hushpay.RoleAgent, at(0))
		must(t, "CreateAPIKey", s.CreateAPIKey(t.Context(), k))
		got, err := s.APIKeyByHash(t.Context(), hash("secret-hpk_1"))
		must(t, "APIKeyByHash", err)
		equal(t, "stored key", k, got)
		_, err = s.APIKeyByHash(t.Context(), hash("another secret"))
		wantKind(t, "APIKeyByHash of an unknown secret", err, hushpay.KindNotFound)
	})
	t.Run("a duplicate ID or hash is a conflict", func(t *testing.T) {
		s := open(t)
		must(t, "CreateAPIKey", s.CreateAPIKey(t.Context(), newAPIKey("acme", "hpk_1", hushpay.RoleAgent, at(0))))
		sameID := newAPIKey("acme", "hpk_1", hushpay.RoleAdmin, at(1))
		sameID.Hash = hash("different")
		wantKind(t, "CreateAPIKey with an existing ID", s.CreateAPIKey(t.Context(), sameID), hushpay.KindConflict)
		sameHash := newAPIKey("globex", "hpk_2", hushpay.RoleAdmin, at(1))
		sameHash.Hash = hash("secret-hpk_1")
		wantKind(t, "CreateAPIKey with an existing hash", s.CreateAPIKey(t.Context(), sameHash), hushpay.KindConflict)
	})
	t.Run("list and revoke stay in the tenant", func(t *testing.T) {
		s := open(t)
		for _, k := range []*hushpay.APIKey{
			newAPIKey("acme", "hpk_1", hushpay.RoleAgent, at(1)),
			newAPIKey("acme", "hpk_2", hushpay.RoleAdmin, at(2)),
			newAPIKey("globex", "hpk_3", hushpay.RoleAdmin, at(3)),
		} {
			must(t, "CreateAPIKey", s.CreateAPIKey(t.Context(), k))
		}
		ks, err := s.ListAPIKeys(t.Context(), "acme")
		must(t, "ListAPIKeys", err)
		var ids []string
		for _, k := range ks {
			ids = append(ids, k.ID)
		}
		equal(t, "acme's key IDs, newest first", []string{"hpk_2", "hpk_1"}, ids)

		wantKind(t, "RevokeAPIKey of another tenant", s.RevokeAPIKey(t.Context(), "globex", "hpk_1", at(10)), hushpay.KindNotFound)
		must(t, "RevokeAPIKey", s.RevokeAPIKey(t.Context(), "acme", "hpk_1", at(10)))
		got, err := s.APIKeyByHash(t.Context(), hash("secret-hpk_1"))
		must(t, "APIKeyByHash", err)
		if got.RevokedAt == nil || !got.RevokedAt.Equal(at(10)) {
			t.Errorf("RevokedAt = %v, want %v", got.RevokedAt, at(10))
		}
		other, err := s.APIKeyByHash(t.Context(), hash("secret-hpk_2"))
		must(t, "APIKeyByHash", err)
		if other.RevokedAt != nil {
			t.Errorf("revoking one key revoked another")
		}
	})
}

func newLink(tenant, id string, created time.Time) *hushpay.Link {
	return &hushpay.Link{ID: id, Tenant: tenant, PaymentID: "pay_1", TokenHash: hash("token-" + id),
		Channel: "sms", CreatedAt: created, ExpiresAt: created.Add(15 * time.Minute)}
}

func testLinks(t *testing.T, open Opener) {
	t.Run("a link is found by its token hash and used once", func(t *testing.T) {
		s := open(t)
		l := newLink("acme", "lnk_1", at(0))
		must(t, "CreateLink", s.CreateLink(t.Context(), l))
		got, err := s.LinkByTokenHash(t.Context(), hash("token-lnk_1"))
		must(t, "LinkByTokenHash", err)
		equal(t, "stored link", l, got)

		wantKind(t, "UseLink of another tenant", s.UseLink(t.Context(), "globex", "lnk_1", at(60)), hushpay.KindNotFound)
		must(t, "UseLink", s.UseLink(t.Context(), "acme", "lnk_1", at(60)))
		wantKind(t, "UseLink a second time", s.UseLink(t.Context(), "acme", "lnk_1", at(61)), hushpay.KindGone)
		got, err = s.LinkByTokenHash(t.Context(), hash("token-lnk_1"))
		must(t, "LinkByTokenHash", err)
		if got.UsedAt == nil || !got.UsedAt.Equal(at(60)) {
			t.Errorf("UsedAt = %v, want the first use %v", got.UsedAt, at(60))
		}
	})
	t.Run("unknown tokens and links are not found", func(t *testing.T) {
		s := open(t)
		_, err := s.LinkByTokenHash(t.Context(), hash("nothing"))
		wantKind(t, "LinkByTokenHash of an unknown token", err, hushpay.KindNotFound)
		wantKind(t, "UseLink of an unknown link", s.UseLink(t.Context(), "acme", "lnk_x", at(0)), hushpay.KindNotFound)
	})
	t.Run("a duplicate token hash is a conflict", func(t *testing.T) {
		s := open(t)
		must(t, "CreateLink", s.CreateLink(t.Context(), newLink("acme", "lnk_1", at(0))))
		l := newLink("acme", "lnk_2", at(0))
		l.TokenHash = hash("token-lnk_1")
		wantKind(t, "CreateLink with an existing token hash", s.CreateLink(t.Context(), l), hushpay.KindConflict)
	})
	t.Run("of concurrent uses exactly one wins", func(t *testing.T) {
		s := open(t)
		must(t, "CreateLink", s.CreateLink(t.Context(), newLink("acme", "lnk_1", at(0))))
		errs := make(chan error, 8)
		for range cap(errs) {
			go func() { errs <- s.UseLink(t.Context(), "acme", "lnk_1", at(60)) }()
		}
		wins := 0
		for range cap(errs) {
			switch err := <-errs; {
			case err == nil:
				wins++
			case hushpay.KindOf(err) != hushpay.KindGone:
				t.Errorf("a losing use failed with %v, want KindGone", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d concurrent uses won, want exactly 1", wins)
		}
	})
}

func testIdempotency(t *testing.T, open Opener) {
	s := open(t)
	r := &hushpay.IdempotencyRecord{Tenant: "acme", Key: "idem-1", RequestHash: hash("POST /v1/payments {}"),
		Status: 201, Body: []byte(`{"id":"pay_1"}`), CreatedAt: at(0)}
	must(t, "SaveIdempotency", s.SaveIdempotency(t.Context(), r))
	second := *r
	second.Status, second.Body = 500, []byte("other")
	wantKind(t, "SaveIdempotency of an existing key", s.SaveIdempotency(t.Context(), &second), hushpay.KindConflict)
	got, err := s.GetIdempotency(t.Context(), "acme", "idem-1")
	must(t, "GetIdempotency", err)
	equal(t, "the first record", r, got)
	_, err = s.GetIdempotency(t.Context(), "globex", "idem-1")
	wantKind(t, "GetIdempotency of another tenant", err, hushpay.KindNotFound)

	must(t, "SaveIdempotency", s.SaveIdempotency(t.Context(), &hushpay.IdempotencyRecord{Tenant: "globex", Key: "idem-1",
		RequestHash: hash("x"), Status: 200, Body: []byte("{}"), CreatedAt: at(10)}))
	must(t, "SaveIdempotency", s.SaveIdempotency(t.Context(), &hushpay.IdempotencyRecord{Tenant: "acme", Key: "idem-2",
		RequestHash: hash("y"), Status: 200, Body: []byte("{}"), CreatedAt: at(100)}))
	n, err := s.DeleteIdempotencyBefore(t.Context(), at(100))
	must(t, "DeleteIdempotencyBefore", err)
	if n != 2 {
		t.Errorf("DeleteIdempotencyBefore deleted %d records, want 2", n)
	}
	_, err = s.GetIdempotency(t.Context(), "acme", "idem-1")
	wantKind(t, "GetIdempotency after deletion", err, hushpay.KindNotFound)
	_, err = s.GetIdempotency(t.Context(), "acme", "idem-2")
	must(t, "GetIdempotency of a kept record", err)
}
