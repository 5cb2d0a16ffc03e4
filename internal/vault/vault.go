package vault

import (
	"cmp"
	"context"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

// HKDF info strings: each derived key has its own purpose.
const (
	infoTokenKey       = "hushpay/data-key/aes-256-gcm"
	infoFingerprintKey = "hushpay/fingerprint/v1"
	infoSecretRoot     = "hushpay/secret-root/v1"
)

// Instrument is what a token protects: a card (PAN, brand, expiry) or a bank account (routing
// number, account number, account type). Never a security code.
type Instrument struct {
	PAN           card.PAN
	Brand         card.Brand
	ExpMonth      int
	ExpYear       int
	RoutingNumber string
	Account       card.AccountNumber
	AccountType   string
}

// Wipe overwrites the instrument's card and account digits in memory.
func (in *Instrument) Wipe() {
	in.PAN.Wipe()
	in.Account.Wipe()
}

// Vault seals instruments into tokens and opens them again. It is safe for concurrent use.
type Vault struct {
	keys       hushpay.KeyStore
	ring       *KeyRing
	clock      hushpay.Clock
	idEncoding *base32.Encoding

	mu              sync.RWMutex
	dataKeys        map[int]cipher.AEAD // by data key version
	active          int                 // the version new tokens are sealed under
	fingerprintRoot []byte              // derived from the oldest data key
	tenantKeys      map[string][]byte   // fingerprint keys by tenant, derived from the root
	secretRoots     map[int][]byte      // by data key version: the root of SealSecret's purpose keys
	secretKeys      map[secretKeyID]cipher.AEAD
}

// New loads the data keys from keys, unwrapping each with the ring's KEK of its version, and
// creates data key 1 when there is none. Every data key must be wrapped by a KEK the ring holds.
func New(ctx context.Context, keys hushpay.KeyStore, ring *KeyRing, clock hushpay.Clock) (*Vault, error) {
	if keys == nil || ring == nil || clock == nil {
		return nil, errors.New("vault: a key store, a key ring and a clock are required")
	}
	v := &Vault{keys: keys, ring: ring, clock: clock, idEncoding: newIDEncoding(),
		dataKeys: map[int]cipher.AEAD{}, tenantKeys: map[string][]byte{},
		secretRoots: map[int][]byte{}, secretKeys: map[secretKeyID]cipher.AEAD{}}
	if err := v.Reload(ctx); err != nil {
		return nil, err
	}
	if v.active == 0 {
		if _, err := v.RotateDataKey(ctx); err != nil && !hushpay.IsConflict(err) {
			return nil, err
		}
		if err := v.Reload(ctx); err != nil { // another node may have created version 1 first
			return nil, err
		}
	}
	return v, nil
}

// ActiveKeyVersion returns the version of the data key new tokens are sealed under.
func (v *Vault) ActiveKeyVersion() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.active
}

// Reload loads data keys created since (by a rotation on another node) and makes the newest
// active. Open reloads by itself when it meets an unknown version.
func (v *Vault) Reload(ctx context.Context) error {
	stored, err := v.keys.ListDataKeys(ctx)
	if err != nil {
		return fmt.Errorf("vault: loading data keys: %w", err)
	}
	// Oldest first, whatever the store's order: the oldest key roots the fingerprints.
	slices.SortFunc(stored, func(a, b hushpay.DataKey) int { return cmp.Compare(a.Version, b.Version) })
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, k := range stored {
		if _, ok := v.dataKeys[k.Version]; ok {
			continue
		}
		material, err := v.unwrap(k)
		if err != nil {
			return err
		}
		v.dataKeys[k.Version] = newAEAD(hkdfKey(material, infoTokenKey))
		v.secretRoots[k.Version] = hkdfKey(material, infoSecretRoot)
		if v.fingerprintRoot == nil {
			v.fingerprintRoot = hkdfKey(material, infoFingerprintKey)
		}
		wipe(material)
		v.active = max(v.active, k.Version)
	}
	return nil
}

// Tokenize seals the instrument (a card or a bank account) for the tenant and builds its token:
// a random id, the fingerprint, brand, last four and expiry in clear, the rest sealed under the
// active data key with the tenant and id as additional data. It does not store the token.
func (v *Vault) Tokenize(tenant string, in Instrument, reusable bool) (*hushpay.Token, error) {
	const op = "vault.tokenize"
	if err := checkInstrument(tenant, &in); err != nil {
		return nil, hushpay.WithOp(op, err)
	}
	var random [tokenIDBytes + nonceSize]byte
	id := newTokenID(v.idEncoding, random[:tokenIDBytes])
	_, _ = rand.Read(random[tokenIDBytes:]) // crypto/rand.Read never fails (it panics instead)

	plaintext := encodeInstrument(make([]byte, 0, 64), &in)
	defer wipe(plaintext)
	v.mu.RLock()
	version, aead := v.active, v.dataKeys[v.active]
	v.mu.RUnlock()

	t := &hushpay.Token{
		ID:         id,
		Tenant:     tenant,
		Reusable:   reusable,
		KeyVersion: version,
		Ciphertext: seal(aead, version, random[tokenIDBytes:], plaintext, tokenAAD(tenant, id)),
		CreatedAt:  v.clock.Now(),
	}
	t.Fingerprint = v.FingerprintOf(tenant, &in)
	if in.PAN.Len() > 0 {
		t.Kind, t.Brand, t.Last4 = "card", string(in.Brand), in.PAN.Last4()
		t.ExpMonth, t.ExpYear = in.ExpMonth, in.ExpYear
	} else {
		t.Kind, t.Last4 = "bank", in.Account.Last4()
	}
	return t, nil
}

// FingerprintOf returns the fingerprint Tokenize gives the instrument: of the card number, or of
// a bank account's "routing/account" number. Use it to find a tenant's tokens of one instrument
// (hushpay.TokenStore.FindTokens) without decrypting any.
func (v *Vault) FingerprintOf(tenant string, in *Instrument) string {
	if in.PAN.Len() > 0 {
		return v.Fingerprint(tenant, in.PAN.Reveal())
	}
	return v.Fingerprint(tenant, in.RoutingNumber+"/"+in.Account.Reveal())
}

// Open decrypts a token's instrument. A ciphertext moved to another token or tenant, altered in
// any byte, or sealed under an unknown data key does not open. A data key created by another node
// since New or Reload is loaded from the key store on first use. The caller wipes the instrument.
func (v *Vault) Open(t *hushpay.Token) (Instrument, error) {
	const op = "vault.open"
	plaintext, err := v.decrypt(context.Background(), t)
	if err != nil {
		return Instrument{}, openError(op, err)
	}
	defer wipe(plaintext)
	in, err := decodeInstrument(plaintext)
	if err != nil {
		return Instrument{}, openError(op, err)
	}
	return in, nil
}

func openError(op string, err error) error {
	return &hushpay.Error{Op: op, Kind: hushpay.KindOther, Code: "token_unreadable",
		Message: "the token cannot be opened", Err: err}
}

// decrypt returns a token's plaintext, reloading the data keys once if its version is unknown.
func (v *Vault) decrypt(ctx context.Context, t *hushpay.Token) ([]byte, error) {
	version, err := ciphertextVersion(t.Ciphertext)
	if err != nil {
		return nil, err
	}
	if version != t.KeyVersion {
		return nil, fmt.Errorf("ciphertext is sealed under data key %d, the token says %d", version, t.KeyVersion)
	}
	if t.ID == "" || strings.Contains(t.ID, "|") {
		return nil, errors.New("malformed token id")
	}
	aead, err := v.dataKey(ctx, version)
	if err != nil {
		return nil, err
	}
	return unseal(aead, t.Ciphertext, tokenAAD(t.Tenant, t.ID))
}

// dataKey returns the data key of that version, loading new keys from the store if needed.
func (v *Vault) dataKey(ctx context.Context, version int) (cipher.AEAD, error) {
	v.mu.RLock()
	aead, ok := v.dataKeys[version]
	v.mu.RUnlock()
	if ok {
		return aead, nil
	}
	if err := v.Reload(ctx); err != nil {
		return nil, err
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	if aead, ok := v.dataKeys[version]; ok {
		return aead, nil
	}
	return nil, fmt.Errorf("no data key version %d", version)
}

// Fingerprint returns the tenant's keyed HMAC-SHA256 of a card number (or of a bank account's
// "routing/account"), hex encoded: equal for the same number within one tenant, unrelated across
// tenants, and useless without the vault's keys.
func (v *Vault) Fingerprint(tenant, number string) string {
	mac := hmac.New(sha256.New, v.tenantKey(tenant))
	_, _ = mac.Write([]byte(number))
	var sum [sha256.Size]byte
	return hex.EncodeToString(mac.Sum(sum[:0]))
}

// tenantKey returns the tenant's fingerprint key, deriving it on first use.
func (v *Vault) tenantKey(tenant string) []byte {
	v.mu.RLock()
	key, ok := v.tenantKeys[tenant]
	v.mu.RUnlock()
	if ok {
		return key
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if key, ok := v.tenantKeys[tenant]; ok {
		return key
	}
	key = hkdfKey(v.fingerprintRoot, infoFingerprintKey+"|"+tenant)
	v.tenantKeys[tenant] = key
	return key
}

// hkdfKey derives a KeySize key from secret for the purpose named by info.
func hkdfKey(secret []byte, info string) []byte {
	key, err := hkdf.Key(sha256.New, secret, nil, info, KeySize)
	if err != nil {
		panic("vault: " + err.Error()) // unreachable: KeySize is far below HKDF-SHA256's limit
	}
	return key
}

// checkInstrument checks the instrument's shape: a tenant, and either a card (12–19 digits, a
// month 1–12, a four-digit year) or a bank account (9-digit routing, 4–17 digit account).
func checkInstrument(tenant string, in *Instrument) error {
	hasCard, hasBank := in.PAN.Len() > 0, in.Account.Len() > 0
	switch {
	case tenant == "" || strings.Contains(tenant, "|"):
		return hushpay.FieldError("tenant", "invalid_tenant", "a tenant without '|' is required")
	case hasCard == hasBank:
		return hushpay.FieldError("instrument", "invalid_instrument", "exactly one of a card number or an account number is required")
	case hasCard && !digitsBetween(in.PAN.Reveal(), 12, 19):
		return hushpay.FieldError("card_number", "format", "the card number must be 12 to 19 digits")
	case hasCard && (in.ExpMonth < 1 || in.ExpMonth > 12 || in.ExpYear < 1000 || in.ExpYear > 9999):
		return hushpay.FieldError("expiry", "format", "the expiry must be a month 1-12 and a four-digit year")
	case hasBank && !digitsBetween(in.RoutingNumber, 9, 9):
		return hushpay.FieldError("routing_number", "format", "the routing number must be 9 digits")
	case hasBank && !digitsBetween(in.Account.Reveal(), 4, 17):
		return hushpay.FieldError("account_number", "format", "the account number must be 4 to 17 digits")
	case len(in.Brand) > 255 || len(in.AccountType) > 255:
		return hushpay.FieldError("instrument", "format", "the brand or account type is too long")
	}
	return nil
}

func digitsBetween(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Token ids: "tok_" and 128 random bits in lower-case base32 (26 characters). An id with four
// digits in a row is drawn again, so an id never holds anything that reads as a last four, let
// alone a card number, and is never a digit string (so never Luhn-valid).
const (
	tokenIDPrefix = "tok_"
	tokenIDBytes  = 16
	maxDigitRun   = 3
)

// newIDEncoding returns the token ids' encoding: RFC 4648 base32 in lower case, unpadded.
func newIDEncoding() *base32.Encoding {
	return base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)
}

// newTokenID returns a fresh token id, using buf (tokenIDBytes long) for its randomness.
func newTokenID(enc *base32.Encoding, buf []byte) string {
	for {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails (it panics instead)
		id := tokenIDPrefix + enc.EncodeToString(buf)
		if longestDigitRun(id) <= maxDigitRun {
			return id
		}
	}
}

func longestDigitRun(s string) int {
	longest, run := 0, 0
	for i := range len(s) {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// unwrap returns a stored data key's material, unwrapped with the ring's KEK of its version.
func (v *Vault) unwrap(k hushpay.DataKey) ([]byte, error) {
	kek, ok := v.ring.keks[k.KEKVersion]
	if !ok {
		return nil, fmt.Errorf("vault: data key %d is wrapped by key-encryption key %d, which the key ring lacks", k.Version, k.KEKVersion)
	}
	if len(k.Wrapped) < nonceSize+tagSize {
		return nil, fmt.Errorf("vault: data key %d: wrapped form too short", k.Version)
	}
	material, err := kek.Open(nil, k.Wrapped[:nonceSize], k.Wrapped[nonceSize:], dataKeyAAD(k.Version, k.KEKVersion))
	if err != nil || len(material) != KeySize {
		wipe(material)
		return nil, fmt.Errorf("vault: data key %d does not open with key-encryption key %d (wrong key?)", k.Version, k.KEKVersion)
	}
	return material, nil
}

// wrap seals a data key's material under the ring's current KEK.
func (v *Vault) wrap(version int, material []byte) hushpay.DataKey {
	kekVersion := v.ring.current
	nonce := make([]byte, nonceSize, nonceSize+KeySize+tagSize)
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails (it panics instead)
	wrapped := v.ring.keks[kekVersion].Seal(nonce, nonce, material, dataKeyAAD(version, kekVersion))
	return hushpay.DataKey{Version: version, KEKVersion: kekVersion, Wrapped: wrapped, CreatedAt: v.clock.Now()}
}

// dataKeyAAD binds a wrapped data key to its version and its KEK's version.
func dataKeyAAD(version, kekVersion int) []byte {
	return []byte("hushpay/data-key/v1|" + strconv.Itoa(version) + "|" + strconv.Itoa(kekVersion))
}
