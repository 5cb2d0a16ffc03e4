package vault

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"fmt"

	"github.com/hushpay/hushpay"
)

// Sealed secrets (SealSecret) have the token ciphertext's layout: data key version (uint32, BE) ‖
// 12-byte nonce ‖ AES-256-GCM(secret) with its tag. The key is derived with HKDF from the data
// key's secret root for the purpose ("hushpay/secret/v1|<purpose>"), and the additional data is
// secretAAD(purpose, id), so a sealed value copied to another row, or used for another purpose,
// does not open.
const (
	secretAADPrefix  = "hushpay/secret/v1|"
	maxSecretPurpose = 64
	maxSecretID      = 255
)

// secretKeyID names one derived purpose key: of a data key version, for a purpose.
type secretKeyID struct {
	version int
	purpose string
}

// SealSecret encrypts a small secret (a TOTP seed, an API credential) that belongs to the row id,
// for the named purpose (lower-case letters, digits, '_', '-' or '.'), under the active data key.
// The result opens only with OpenSecret and the same purpose and id, also after data-key rotation.
// The caller wipes plain.
func (v *Vault) SealSecret(purpose, id string, plain []byte) ([]byte, error) {
	const op = "vault.seal_secret"
	if err := checkSecretLabel(purpose, id); err != nil {
		return nil, hushpay.WithOp(op, err)
	}
	version := v.ActiveKeyVersion()
	aead, err := v.secretKey(context.Background(), version, purpose)
	if err != nil {
		return nil, secretError(op, err)
	}
	nonce := make([]byte, nonceSize)
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails (it panics instead)
	return seal(aead, version, nonce, plain, secretAAD(purpose, id)), nil
}

// OpenSecret decrypts what SealSecret sealed for the same purpose and id. A sealed value moved to
// another id or purpose, altered in any byte, or sealed under an unknown data key does not open.
// The caller wipes the result.
func (v *Vault) OpenSecret(purpose, id string, sealed []byte) ([]byte, error) {
	const op = "vault.open_secret"
	if err := checkSecretLabel(purpose, id); err != nil {
		return nil, hushpay.WithOp(op, err)
	}
	version, err := ciphertextVersion(sealed)
	if err != nil {
		return nil, secretError(op, err)
	}
	aead, err := v.secretKey(context.Background(), version, purpose)
	if err != nil {
		return nil, secretError(op, err)
	}
	plain, err := unseal(aead, sealed, secretAAD(purpose, id))
	if err != nil {
		return nil, secretError(op, err)
	}
	return plain, nil
}

func secretError(op string, err error) error {
	return &hushpay.Error{Op: op, Kind: hushpay.KindOther, Code: "secret_unreadable",
		Message: "the sealed secret cannot be opened", Err: err}
}

// checkSecretLabel checks a purpose (which never holds '|', so the additional data reads one way)
// and an id.
func checkSecretLabel(purpose, id string) error {
	if purpose == "" || len(purpose) > maxSecretPurpose {
		return hushpay.FieldError("purpose", "invalid_purpose", "the purpose must be 1 to 64 characters")
	}
	for i := range len(purpose) {
		c := purpose[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' && c != '.' {
			return hushpay.FieldError("purpose", "invalid_purpose", "the purpose may hold only a-z, 0-9, '_', '-' and '.'")
		}
	}
	if id == "" || len(id) > maxSecretID {
		return hushpay.FieldError("id", "invalid_id", "the id must be 1 to 255 bytes")
	}
	return nil
}

// secretAAD returns the additional data that binds a sealed secret to its purpose and row.
func secretAAD(purpose, id string) []byte {
	aad := make([]byte, 0, len(secretAADPrefix)+len(purpose)+1+len(id))
	aad = append(aad, secretAADPrefix...)
	aad = append(aad, purpose...)
	aad = append(aad, '|')
	return append(aad, id...)
}

// secretKey returns the purpose's key under the data key of that version, deriving it on first
// use and loading new data keys from the store if the version is unknown.
func (v *Vault) secretKey(ctx context.Context, version int, purpose string) (cipher.AEAD, error) {
	kid := secretKeyID{version: version, purpose: purpose}
	v.mu.RLock()
	aead, ok := v.secretKeys[kid]
	_, known := v.secretRoots[version]
	v.mu.RUnlock()
	if ok {
		return aead, nil
	}
	if !known {
		if err := v.Reload(ctx); err != nil {
			return nil, err
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if aead, ok := v.secretKeys[kid]; ok {
		return aead, nil
	}
	root, ok := v.secretRoots[version]
	if !ok {
		return nil, fmt.Errorf("no data key version %d", version)
	}
	aead = newAEAD(hkdfKey(root, secretAADPrefix+purpose))
	v.secretKeys[kid] = aead
	return aead, nil
}
