package store

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hushpay/hushpay/internal/store/storetest"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, database, dataDir string
		wantKind, wantTarget    string
	}{
		{"relative sqlite file in the data dir", "sqlite:hushpay.db", "/var/lib/hushpay", "sqlite", "/var/lib/hushpay/hushpay.db"},
		{"relative sqlite file without a data dir", "sqlite:hushpay.db", "", "sqlite", "hushpay.db"},
		{"absolute sqlite file", "sqlite:/tmp/x/h.db", "/var/lib/hushpay", "sqlite", "/tmp/x/h.db"},
		{"URL-style absolute sqlite file", "sqlite:///tmp/h.db", "/data", "sqlite", "/tmp/h.db"},
		{"postgres URL", "postgres://u@db:5432/hp?sslmode=disable", "/data", "postgres", "postgres://u@db:5432/hp?sslmode=disable"},
		{"postgresql URL", "postgresql://u@db/hp", "", "postgres", "postgresql://u@db/hp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, target, err := parse(tt.database, tt.dataDir)
			if err != nil {
				t.Fatal(err)
			}
			if kind != tt.wantKind || target != filepath.FromSlash(tt.wantTarget) {
				t.Errorf("parse = %s %s, want %s %s", kind, target, tt.wantKind, tt.wantTarget)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := map[string]string{
		"empty":                 "",
		"no scheme":             "hushpay.db",
		"unknown scheme":        "mysql://root:hunter2@db/hp",
		"digits as a scheme":    "4242424242424242:x",
		"sqlite without a file": "sqlite:",
		"postgres without //":   "postgres:db",
	}
	for name, database := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := parse(database, ".")
			if err == nil {
				t.Fatalf("parse(%q) succeeded", database)
			}
			if !strings.Contains(err.Error(), "HUSHPAY_DATABASE") {
				t.Errorf("error %q does not name HUSHPAY_DATABASE", err)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "4242") {
				t.Errorf("error %q echoes the password", err)
			}
		})
	}
}

func TestDescribeHidesPasswords(t *testing.T) {
	tests := map[string]string{
		"postgres://hp:hunter2@db:5432/hp":         "postgres://hp:xxxxx@db:5432/hp",
		"postgres://hp@db/hp?password=hunter2&x=1": "postgres://hp@db/hp?password=xxxxx&x=1",
		"postgresql://hp@db/hp":                    "postgresql://hp@db/hp",
		"sqlite:hushpay.db":                        "sqlite:hushpay.db",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := Describe(in); got != want {
				t.Errorf("Describe = %q, want %q", got, want)
			}
		})
	}
}

func TestOpenSQLiteInDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	applied, err := Migrate(t.Context(), "sqlite:hushpay.db", dir)
	if err != nil || len(applied) == 0 {
		t.Fatalf("Migrate = %v, %v; want the migrations applied", applied, err)
	}
	s, err := Open(t.Context(), "sqlite:hushpay.db", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	if applied, err := Migrate(t.Context(), "sqlite:hushpay.db", dir); err != nil || len(applied) != 0 {
		t.Errorf("Migrate of a current database = %v, %v; want nothing applied", applied, err)
	}
}

func TestOpenPostgres(t *testing.T) {
	url := storetest.PostgresURL(t)
	s, err := Open(t.Context(), url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	if applied, err := Migrate(t.Context(), url, ""); err != nil || len(applied) != 0 {
		t.Errorf("Migrate after Open = %v, %v; want nothing applied", applied, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("sqlite:hushpay.db")
	f.Add("postgres://u:pw@db/hp")
	f.Add("4242424242424242:secret-value")
	f.Add("mysql://root:hunter2@db")
	f.Fuzz(func(t *testing.T, database string) {
		kind, target, err := parse(database, "/data")
		if err != nil {
			// An error may quote a URL scheme and nothing else of the setting: what is left of
			// the message once the scheme and the fixed words are taken out must not hold the rest.
			scheme, rest, _ := strings.Cut(database, ":")
			msg := strings.NewReplacer(strconv.Quote(scheme), "", usage, "", "HUSHPAY_DATABASE", "").Replace(err.Error())
			if len(rest) >= 6 && strings.Contains(msg, rest) {
				t.Errorf("the error %q echoes the setting", err)
			}
			return
		}
		if kind != "sqlite" && kind != "postgres" || target == "" {
			t.Errorf("parse(%q) = %q, %q", database, kind, target)
		}
	})
}
