package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// KeySize is the size of every key: key-encryption keys and data keys are AES-256 keys.
const KeySize = 32

// DevKeyRingFile is the file in the data directory that holds the development key ring.
const DevKeyRingFile = "dev-kek"

// KeyRing holds the key-encryption keys (KEKs) by version; the highest version is current and
// wraps new data keys. It never prints its keys, only their versions.
type KeyRing struct {
	keks    map[int]cipher.AEAD
	current int
}

// ParseKeyRing parses a key ring specification: comma-separated "version:key" entries, each key
// 32 bytes in base64 (standard or URL alphabet, padded or not), versions positive integers; the
// highest version is current. A single key without a version ("base64key") is version 1, so
// HUSHPAY_KEK=$(openssl rand -base64 32) works. Errors name the entry, never the key.
func ParseKeyRing(spec string) (*KeyRing, error) {
	entries := strings.Split(spec, ",")
	if strings.TrimSpace(spec) == "" {
		return nil, errors.New("key ring: no key-encryption key given")
	}
	kr := &KeyRing{keks: make(map[int]cipher.AEAD, len(entries))}
	for i, entry := range entries {
		version, key, err := parseEntry(strings.TrimSpace(entry), len(entries))
		if err != nil {
			return nil, fmt.Errorf("key ring: entry %d: %w", i+1, err)
		}
		if _, dup := kr.keks[version]; dup {
			wipe(key)
			return nil, fmt.Errorf("key ring: entry %d: version %d appears twice", i+1, version)
		}
		kr.keks[version] = newAEAD(key)
		wipe(key)
		kr.current = max(kr.current, version)
	}
	return kr, nil
}

// parseEntry parses one "version:key" entry (or a bare key when it is the only entry).
func parseEntry(entry string, entries int) (int, []byte, error) {
	versionText, keyText, hasVersion := strings.Cut(entry, ":")
	if !hasVersion {
		if entries > 1 {
			return 0, nil, errors.New(`want "version:base64key"`)
		}
		versionText, keyText = "1", entry
	}
	version, err := strconv.Atoi(strings.TrimSpace(versionText))
	if err != nil || version < 1 || version > math.MaxUint32 {
		return 0, nil, errors.New("the version must be a positive integer")
	}
	key, ok := decodeKey(strings.TrimSpace(keyText))
	if !ok {
		return 0, nil, fmt.Errorf("version %d: the key must be %d bytes in base64", version, KeySize)
	}
	return version, key, nil
}

// decodeKey decodes a base64 key in any of the four common alphabets and paddings.
func decodeKey(text string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		key, err := enc.DecodeString(text)
		if err == nil && len(key) == KeySize {
			return key, true
		}
		wipe(key)
	}
	return nil, false
}

// LoadOrCreateDevKeyRing reads the development key ring from the file dev-kek in dataDir, or
// creates it (one random key, version 1, mode 0600, the directory 0700) when it does not exist.
// created reports a new key: the caller logs a loud warning, since a key kept next to the data it
// protects is for development only. A file readable by group or others is refused.
func LoadOrCreateDevKeyRing(dataDir string) (kr *KeyRing, created bool, err error) {
	path := filepath.Join(dataDir, DevKeyRingFile)
	// A second round reads the file that another process created between our read and create.
	for range 2 {
		kr, err = readKeyRingFile(path)
		if !errors.Is(err, fs.ErrNotExist) {
			return kr, false, err
		}
		switch err = createKeyRingFile(dataDir, path); {
		case errors.Is(err, fs.ErrExist):
			continue
		case err != nil:
			return nil, false, err
		}
		kr, err = readKeyRingFile(path)
		return kr, err == nil, err
	}
	return nil, false, fmt.Errorf("dev key ring %s: created and removed concurrently", path)
}

func readKeyRingFile(path string) (*KeyRing, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("dev key ring %s: mode %v lets others read it; run chmod 600 on it", path, info.Mode().Perm())
	}
	spec, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	defer wipe(spec)
	kr, err := ParseKeyRing(strings.TrimSpace(string(spec)))
	if err != nil {
		return nil, fmt.Errorf("dev key ring %s: %w", path, err)
	}
	return kr, nil
}

func createKeyRingFile(dataDir, path string) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("dev key ring: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	key := make([]byte, KeySize)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (it panics instead)
	line := []byte("1:" + base64.StdEncoding.EncodeToString(key) + "\n")
	wipe(key)
	_, err = f.Write(line)
	wipe(line)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("dev key ring %s: %w", path, err)
	}
	return nil
}

// Current returns the version of the current key-encryption key.
func (kr *KeyRing) Current() int { return kr.current }

// Versions returns the versions of the ring's keys, in increasing order.
func (kr *KeyRing) Versions() []int { return slices.Sorted(maps.Keys(kr.keks)) }

// Has reports whether the ring holds the key of that version.
func (kr *KeyRing) Has(version int) bool {
	_, ok := kr.keks[version]
	return ok
}

// String describes the ring by its versions only.
func (kr *KeyRing) String() string {
	return fmt.Sprintf("key ring (versions %v, current %d)", kr.Versions(), kr.current)
}

// GoString describes the ring by its versions only.
func (kr *KeyRing) GoString() string { return "vault.KeyRing(" + kr.String() + ")" }

// Format prints the description whatever the verb, so no formatting path shows a key.
func (kr *KeyRing) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(kr.String())) }

// LogValue logs the versions only.
func (kr *KeyRing) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("versions", kr.Versions()), slog.Int("current", kr.current))
}

// newAEAD returns AES-256-GCM under key (which must be KeySize bytes).
func newAEAD(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("vault: " + err.Error()) // unreachable: every caller passes KeySize bytes
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("vault: " + err.Error()) // unreachable: AES has a 16-byte block
	}
	return aead
}

// wipe overwrites b with zeros.
func wipe(b []byte) { clear(b) }
