package vault_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hushpay/hushpay/internal/vault"
)

func TestParseKeyRing(t *testing.T) {
	raw := bytes.Repeat([]byte{0xfb}, vault.KeySize) // encodes differently in every alphabet
	std, url := base64.StdEncoding.EncodeToString(raw), base64.RawURLEncoding.EncodeToString(raw)
	cases := []struct {
		name     string
		spec     string
		versions []int
		current  int
	}{
		{"one versioned key", "1:" + std, []int{1}, 1},
		{"a bare key is version 1", std, []int{1}, 1},
		{"the highest version is current", "3:" + std + ",1:" + url, []int{1, 3}, 3},
		{"spaces around entries", " 1:" + std + " , 2: " + url + " ", []int{1, 2}, 2},
		{"unpadded URL alphabet", "7:" + url, []int{7}, 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kr, err := vault.ParseKeyRing(tc.spec)
			if err != nil {
				t.Fatalf("ParseKeyRing: %v", err)
			}
			if !slices.Equal(kr.Versions(), tc.versions) || kr.Current() != tc.current {
				t.Errorf("versions %v current %d, want %v current %d", kr.Versions(), kr.Current(), tc.versions, tc.current)
			}
		})
	}
}

func TestParseKeyRingRejects(t *testing.T) {
	key := newKey(t)
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	cases := []struct{ name, spec string }{
		{"an empty spec", ""},
		{"only spaces", "   "},
		{"a 16-byte key", "1:" + short},
		{"not base64", "1:" + strings.Repeat("!", 44)},
		{"version zero", "0:" + key},
		{"a negative version", "-1:" + key},
		{"a version beyond 32 bits", "4294967296:" + key},
		{"a duplicate version", "1:" + key + ",1:" + key},
		{"a bare key among several", key + ",2:" + key},
		{"an empty entry", "1:" + key + ",,2:" + key},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vault.ParseKeyRing(tc.spec)
			if err == nil {
				t.Fatal("ParseKeyRing succeeded")
			}
			if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), short) {
				t.Errorf("error %q shows the key", err)
			}
		})
	}
}

func TestKeyRingNeverPrintsItsKeys(t *testing.T) {
	key := newKey(t)
	kr := ring(t, "4:"+key)
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("ring", "ring", kr)
	for _, out := range []string{fmt.Sprint(kr), fmt.Sprintf("%#v", kr), fmt.Sprintf("%+v", kr), fmt.Sprintf("%x", kr), logged.String()} {
		if strings.Contains(out, key) || !strings.Contains(out, "4") {
			t.Errorf("printed ring %q shows a key or not its version", out)
		}
	}
}

func TestLoadOrCreateDevKeyRing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, created, err := vault.LoadOrCreateDevKeyRing(dir)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreateDevKeyRing = created %v, %v; want a new ring", created, err)
	}
	info, err := os.Stat(filepath.Join(dir, vault.DevKeyRingFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("dev-kek file: %v, mode %v; want mode 0600", err, info.Mode().Perm())
	}
	second, created, err := vault.LoadOrCreateDevKeyRing(dir)
	if err != nil || created {
		t.Fatalf("second LoadOrCreateDevKeyRing = created %v, %v; want the existing ring", created, err)
	}
	// The same key: a vault made with the first ring opens with the second.
	store := newMemStore()
	tok, err := newVault(t, store, first).Tokenize("tenant_a", visa(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newVault(t, store, second).Open(tok); err != nil {
		t.Fatalf("a token sealed under the first ring does not open under the reloaded one: %v", err)
	}
}

func TestDevKeyRingReadableByOthersIsRefused(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := vault.LoadOrCreateDevKeyRing(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, vault.DevKeyRingFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := vault.LoadOrCreateDevKeyRing(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("LoadOrCreateDevKeyRing = %v, want a refusal that says chmod 600", err)
	}
}

func TestNewNeedsItsDependencies(t *testing.T) {
	if _, err := vault.New(context.Background(), newMemStore(), nil, fixedClock{testNow}); err == nil {
		t.Fatal("New succeeded without a key ring")
	}
}

func FuzzParseKeyRing(f *testing.F) {
	f.Add("1:" + base64.StdEncoding.EncodeToString(make([]byte, 32)))
	f.Add("1:AAAA,2:BBBB")
	f.Add(" 9 : x ")
	f.Fuzz(func(t *testing.T, spec string) {
		kr, err := vault.ParseKeyRing(spec)
		if err != nil {
			return
		}
		if !kr.Has(kr.Current()) || slices.Max(kr.Versions()) != kr.Current() {
			t.Fatalf("ring %v: current is not its highest version", kr)
		}
	})
}
