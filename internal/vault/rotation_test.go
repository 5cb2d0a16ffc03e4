package vault_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/vault"
)

// tokenizeAndStore tokenizes n Visa cards and stores the tokens.
func tokenizeAndStore(t *testing.T, v *vault.Vault, store *memStore, n int) []*hushpay.Token {
	t.Helper()
	var toks []*hushpay.Token
	for range n {
		tok, err := v.Tokenize("tenant_a", visa(), false)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CreateToken(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
		toks = append(toks, tok)
	}
	return toks
}

// openAll opens every stored token with v, reading it back from the store.
func openAll(t *testing.T, v *vault.Vault, store *memStore, toks []*hushpay.Token, wantVersion int) {
	t.Helper()
	for _, tok := range toks {
		stored, err := store.GetToken(context.Background(), tok.Tenant, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.KeyVersion != wantVersion {
			t.Errorf("token %s is under data key %d, want %d", tok.ID, stored.KeyVersion, wantVersion)
		}
		in, err := v.Open(stored)
		if err != nil {
			t.Fatalf("Open(%s): %v", tok.ID, err)
		}
		if !same(in, visa()) {
			t.Errorf("token %s opens to another instrument", tok.ID)
		}
	}
}

func TestDataKeyRotation(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	v := newVault(t, store, ring(t, "1:"+newKey(t)))
	old := tokenizeAndStore(t, v, store, 7)

	version, err := v.RotateDataKey(ctx)
	if err != nil || version != 2 || v.ActiveKeyVersion() != 2 {
		t.Fatalf("RotateDataKey = %d, %v, active %d; want version 2 active", version, err, v.ActiveKeyVersion())
	}
	fresh := tokenizeAndStore(t, v, store, 2)
	openAll(t, v, store, fresh, 2)
	openAll(t, v, store, old, 1) // old tokens still open before they are re-sealed

	moved, err := v.Rewrap(ctx, store, 3) // several batches
	if err != nil || moved != len(old) {
		t.Fatalf("Rewrap = %d, %v; want %d", moved, err, len(old))
	}
	openAll(t, v, store, old, 2)
	if moved, err := v.Rewrap(ctx, store, 3); err != nil || moved != 0 {
		t.Fatalf("second Rewrap = %d, %v; want 0", moved, err)
	}
}

func TestRewrapStopsAtATokenThatDoesNotOpen(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	v := newVault(t, store, ring(t, "1:"+newKey(t)))
	toks := tokenizeAndStore(t, v, store, 1)
	store.tokens["tenant_a/"+toks[0].ID].Ciphertext[30] ^= 1
	if _, err := v.RotateDataKey(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Rewrap(ctx, store, 10); err == nil {
		t.Fatal("Rewrap succeeded over a tampered token")
	}
}

func TestKEKRotation(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	kek1, kek2 := "1:"+newKey(t), "2:"+newKey(t)
	v1 := newVault(t, store, ring(t, kek1))
	if _, err := v1.RotateDataKey(ctx); err != nil { // two data keys to re-wrap
		t.Fatal(err)
	}
	toks := tokenizeAndStore(t, v1, store, 3)
	fingerprint := v1.Fingerprint("tenant_a", "4242424242424242")

	t.Run("a ring without the wrapping KEK cannot open the vault", func(t *testing.T) {
		_, err := vault.New(ctx, store, ring(t, kek2), fixedClock{testNow})
		if err == nil || !strings.Contains(err.Error(), "key-encryption key 1") {
			t.Fatalf("New = %v, want an error naming the missing key-encryption key 1", err)
		}
	})

	v2 := newVault(t, store, ring(t, kek1, kek2))
	n, err := v2.RewrapDataKeys(ctx)
	if err != nil || n != 2 {
		t.Fatalf("RewrapDataKeys = %d, %v; want 2", n, err)
	}
	if n, err := v2.RewrapDataKeys(ctx); err != nil || n != 0 {
		t.Fatalf("second RewrapDataKeys = %d, %v; want 0", n, err)
	}

	// The old KEK is no longer needed: a vault whose ring lacks it opens every token.
	v3 := newVault(t, store, ring(t, kek2))
	openAll(t, v3, store, toks, 2)
	if v3.Fingerprint("tenant_a", "4242424242424242") != fingerprint {
		t.Error("KEK rotation changed a fingerprint")
	}
}

func TestNewNeedsTheRightKEK(t *testing.T) {
	store := newMemStore()
	newVault(t, store, ring(t, "1:"+newKey(t)))
	_, err := vault.New(context.Background(), store, ring(t, "1:"+newKey(t)), fixedClock{testNow})
	if err == nil {
		t.Fatal("New succeeded with another key of the same version")
	}
}

func TestVaultsSharingAStoreSeeEachOthersRotations(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	kr := ring(t, "1:"+newKey(t))
	a, b := newVault(t, store, kr), newVault(t, store, kr)
	if _, err := a.RotateDataKey(ctx); err != nil {
		t.Fatal(err)
	}
	toks := tokenizeAndStore(t, a, store, 1)
	openAll(t, b, store, toks, 2) // b loads data key 2 when it first meets it
	if _, err := b.RotateDataKey(ctx); err != nil {
		t.Fatalf("RotateDataKey on the second vault: %v", err)
	}
	keys, _ := store.ListDataKeys(ctx)
	if len(keys) != 3 {
		t.Fatalf("%d data keys stored, want 3", len(keys))
	}
}

func TestNewCreatesTheFirstDataKeyOnce(t *testing.T) {
	store := newMemStore()
	kr := ring(t, "1:"+newKey(t))
	newVault(t, store, kr)
	newVault(t, store, kr)
	keys, _ := store.ListDataKeys(context.Background())
	if len(keys) != 1 || keys[0].Version != 1 || keys[0].KEKVersion != 1 {
		t.Fatalf("stored data keys %+v, want version 1 wrapped by key-encryption key 1", keys)
	}
}

func TestTokenizeAndOpenDuringRotation(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	v := newVault(t, store, ring(t, "1:"+newKey(t)))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				tok, err := v.Tokenize("tenant_a", visa(), false)
				if err != nil {
					t.Errorf("Tokenize: %v", err)
					return
				}
				if in, err := v.Open(tok); err != nil || !same(in, visa()) {
					t.Errorf("Open during rotation: %v", err)
					return
				}
			}
		})
	}
	for range 3 {
		if _, err := v.RotateDataKey(ctx); err != nil {
			t.Fatalf("RotateDataKey: %v", err)
		}
	}
	wg.Wait()
}
