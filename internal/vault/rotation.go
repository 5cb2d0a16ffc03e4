package vault

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"

	"github.com/hushpay/hushpay"
)

// DefaultRewrapBatch is the batch size Rewrap uses when given none.
const DefaultRewrapBatch = 100

// RotateDataKey creates a data key one version above the newest stored one, wrapped under the
// current KEK, and makes it active. Older data keys keep opening their tokens until Rewrap moves
// them. Two nodes rotating at once: one wins, the other gets a KindConflict error.
func (v *Vault) RotateDataKey(ctx context.Context) (version int, err error) {
	const op = "vault.rotate_data_key"
	stored, err := v.keys.ListDataKeys(ctx)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	version = 1
	for _, k := range stored {
		version = max(version, k.Version+1)
	}
	material := make([]byte, KeySize)
	defer wipe(material)
	_, _ = rand.Read(material) // crypto/rand.Read never fails (it panics instead)
	if err := v.keys.CreateDataKey(ctx, v.wrap(version, material)); err != nil {
		return 0, hushpay.WithOp(op, err)
	}
	if err := v.Reload(ctx); err != nil {
		return 0, err
	}
	return version, nil
}

// Rewrap re-seals, batch by batch, every token sealed under a data key older than the active one,
// and returns how many it re-sealed. A token changed or deleted meanwhile (by another node) is
// skipped. Tokens keep their id, tenant and plaintext; only the key version and ciphertext change.
func (v *Vault) Rewrap(ctx context.Context, tokens hushpay.TokenStore, batch int) (int, error) {
	const op = "vault.rewrap"
	if batch <= 0 {
		batch = DefaultRewrapBatch
	}
	active := v.ActiveKeyVersion()
	total := 0
	for {
		list, err := tokens.ListTokensBelowKeyVersion(ctx, active, batch)
		if err != nil {
			return total, fmt.Errorf("%s: %w", op, err)
		}
		moved, err := v.rewrapBatch(ctx, tokens, list, active)
		total += moved
		if err != nil {
			return total, fmt.Errorf("%s: %w", op, err)
		}
		if len(list) < batch || moved == 0 {
			return total, nil
		}
	}
}

func (v *Vault) rewrapBatch(ctx context.Context, tokens hushpay.TokenStore, list []*hushpay.Token, active int) (int, error) {
	moved := 0
	for _, t := range list {
		resealed, err := v.reseal(ctx, t, active)
		if err != nil {
			return moved, fmt.Errorf("token %s: %w", t.ID, err)
		}
		err = tokens.RewrapToken(ctx, t.Tenant, t.ID, t.KeyVersion, resealed)
		switch {
		case hushpay.IsConflict(err) || hushpay.IsNotFound(err):
			continue // re-sealed or deleted meanwhile
		case err != nil:
			return moved, err
		}
		moved++
	}
	return moved, nil
}

// reseal returns a copy of t sealed under the data key of version active.
func (v *Vault) reseal(ctx context.Context, t *hushpay.Token, active int) (*hushpay.Token, error) {
	plaintext, err := v.decrypt(ctx, t)
	if err != nil {
		return nil, err
	}
	defer wipe(plaintext)
	aead, err := v.dataKey(ctx, active)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, nonceSize)
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails (it panics instead)
	c := *t
	c.KeyVersion = active
	c.Ciphertext = seal(aead, active, nonce, plaintext, tokenAAD(t.Tenant, t.ID))
	return &c, nil
}

// RewrapDataKeys re-wraps under the ring's current KEK every data key wrapped by another one, and
// returns how many it re-wrapped. Afterwards the older KEKs are no longer needed.
func (v *Vault) RewrapDataKeys(ctx context.Context) (int, error) {
	const op = "vault.rewrap_data_keys"
	stored, err := v.keys.ListDataKeys(ctx)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	stored = slices.DeleteFunc(stored, func(k hushpay.DataKey) bool { return k.KEKVersion == v.ring.current })
	for i, k := range stored {
		material, err := v.unwrap(k)
		if err != nil {
			return i, err
		}
		rewrapped := v.wrap(k.Version, material)
		wipe(material)
		rewrapped.CreatedAt = k.CreatedAt
		if err := v.keys.RewrapDataKey(ctx, rewrapped); err != nil {
			return i, fmt.Errorf("%s: data key %d: %w", op, k.Version, err)
		}
	}
	return len(stored), nil
}
