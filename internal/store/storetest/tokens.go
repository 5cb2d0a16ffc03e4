package storetest

import (
	"testing"
	"time"

	"github.com/hushpay/hushpay"
)

func newToken(tenant, id, fingerprint string, keyVersion int, created time.Time) *hushpay.Token {
	return &hushpay.Token{
		ID: id, Tenant: tenant, Kind: "card", Fingerprint: fingerprint, Brand: "visa", Last4: "4242",
		ExpMonth: 12, ExpYear: 2030, Reusable: true, KeyVersion: keyVersion,
		Ciphertext: []byte{byte(keyVersion), 0x00, 0xff, 0x10, 0x20}, CreatedAt: created,
	}
}

func testTokens(t *testing.T, open Opener) {
	t.Run("create and get keep every field and the ciphertext bytes", func(t *testing.T) {
		s := open(t)
		tok := newToken("acme", "tok_1", "fp_a", 1, at(0))
		must(t, "CreateToken", s.CreateToken(t.Context(), tok))
		wantKind(t, "CreateToken again", s.CreateToken(t.Context(), newToken("acme", "tok_1", "fp_b", 1, at(0))), hushpay.KindConflict)
		got, err := s.GetToken(t.Context(), "acme", "tok_1")
		must(t, "GetToken", err)
		equal(t, "stored token", tok, got)
		_, err = s.GetToken(t.Context(), "globex", "tok_1")
		wantKind(t, "GetToken of another tenant", err, hushpay.KindNotFound)
	})
	t.Run("find by fingerprint lists the tenant's tokens newest first", func(t *testing.T) {
		s := open(t)
		for _, tok := range []*hushpay.Token{
			newToken("acme", "tok_1", "fp_a", 1, at(1)),
			newToken("acme", "tok_2", "fp_a", 1, at(3)),
			newToken("acme", "tok_3", "fp_b", 1, at(2)),
			newToken("globex", "tok_4", "fp_a", 1, at(4)),
		} {
			must(t, "CreateToken", s.CreateToken(t.Context(), tok))
		}
		got, err := s.FindTokens(t.Context(), "acme", "fp_a")
		must(t, "FindTokens", err)
		equal(t, "token IDs", []string{"tok_2", "tok_1"}, tokenIDs(got))
		got, err = s.FindTokens(t.Context(), "acme", "fp_none")
		must(t, "FindTokens", err)
		equal(t, "token IDs of an unknown fingerprint", []string(nil), tokenIDs(got))
	})
	t.Run("rotation lists old tokens and re-wraps each once", func(t *testing.T) {
		s := open(t)
		for _, tok := range []*hushpay.Token{
			newToken("acme", "tok_1", "fp", 1, at(1)),
			newToken("globex", "tok_2", "fp", 2, at(2)),
			newToken("acme", "tok_3", "fp", 3, at(3)),
		} {
			must(t, "CreateToken", s.CreateToken(t.Context(), tok))
		}
		old, err := s.ListTokensBelowKeyVersion(t.Context(), 3, 10)
		must(t, "ListTokensBelowKeyVersion", err)
		equal(t, "tokens below version 3", []string{"tok_1", "tok_2"}, tokenIDs(old))
		old, err = s.ListTokensBelowKeyVersion(t.Context(), 3, 1)
		must(t, "ListTokensBelowKeyVersion", err)
		if len(old) != 1 {
			t.Errorf("limit 1 returned %d tokens", len(old))
		}

		rewrapped := newToken("acme", "tok_1", "fp", 3, at(1))
		rewrapped.Ciphertext = []byte("sealed under version 3")
		must(t, "RewrapToken", s.RewrapToken(t.Context(), "acme", "tok_1", 1, rewrapped))
		got, err := s.GetToken(t.Context(), "acme", "tok_1")
		must(t, "GetToken", err)
		equal(t, "re-wrapped token", rewrapped, got)
		wantKind(t, "RewrapToken from a version it left", s.RewrapToken(t.Context(), "acme", "tok_1", 1, rewrapped), hushpay.KindConflict)
		wantKind(t, "RewrapToken of another tenant", s.RewrapToken(t.Context(), "acme", "tok_2", 2, rewrapped), hushpay.KindNotFound)
		old, err = s.ListTokensBelowKeyVersion(t.Context(), 3, 10)
		must(t, "ListTokensBelowKeyVersion", err)
		equal(t, "tokens below version 3 after re-wrapping", []string{"tok_2"}, tokenIDs(old))
	})
	t.Run("delete removes the token once", func(t *testing.T) {
		s := open(t)
		must(t, "CreateToken", s.CreateToken(t.Context(), newToken("acme", "tok_1", "fp", 1, at(0))))
		wantKind(t, "DeleteToken of another tenant", s.DeleteToken(t.Context(), "globex", "tok_1"), hushpay.KindNotFound)
		must(t, "DeleteToken", s.DeleteToken(t.Context(), "acme", "tok_1"))
		_, err := s.GetToken(t.Context(), "acme", "tok_1")
		wantKind(t, "GetToken after delete", err, hushpay.KindNotFound)
		wantKind(t, "DeleteToken again", s.DeleteToken(t.Context(), "acme", "tok_1"), hushpay.KindNotFound)
	})
}

func tokenIDs(ts []*hushpay.Token) []string {
	var ids []string
	for _, t := range ts {
		ids = append(ids, t.ID)
	}
	return ids
}

func testDataKeys(t *testing.T, open Opener) {
	s := open(t)
	k2 := hushpay.DataKey{Version: 2, KEKVersion: 1, Wrapped: []byte("wrapped-2"), CreatedAt: at(2)}
	k1 := hushpay.DataKey{Version: 1, KEKVersion: 1, Wrapped: []byte("wrapped-1"), CreatedAt: at(1)}
	must(t, "CreateDataKey", s.CreateDataKey(t.Context(), k2))
	must(t, "CreateDataKey", s.CreateDataKey(t.Context(), k1))
	wantKind(t, "CreateDataKey of an existing version", s.CreateDataKey(t.Context(), k1), hushpay.KindConflict)
	got, err := s.ListDataKeys(t.Context())
	must(t, "ListDataKeys", err)
	equal(t, "data keys oldest first", []hushpay.DataKey{k1, k2}, got)

	k1.KEKVersion, k1.Wrapped = 2, []byte("rewrapped-1")
	must(t, "RewrapDataKey", s.RewrapDataKey(t.Context(), k1))
	got, err = s.ListDataKeys(t.Context())
	must(t, "ListDataKeys", err)
	equal(t, "data keys after re-wrapping", []hushpay.DataKey{k1, k2}, got)
	missing := hushpay.DataKey{Version: 9, KEKVersion: 2, Wrapped: []byte("x")}
	wantKind(t, "RewrapDataKey of a missing version", s.RewrapDataKey(t.Context(), missing), hushpay.KindNotFound)
}
