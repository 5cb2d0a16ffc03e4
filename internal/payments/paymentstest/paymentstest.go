package paymentstest

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/audit"
	"github.com/hushpay/hushpay/internal/processor"
	"github.com/hushpay/hushpay/internal/processor/sandbox"
	"github.com/hushpay/hushpay/internal/store/sqlite"
	"github.com/hushpay/hushpay/internal/vault"
)

// Fixture is what a payment service is made of in a test. New builds it; the store is closed at the
// test's cleanup.
type Fixture struct {
	Dir        string              // the test's temporary directory: the database and the key ring
	DBPath     string              // the SQLite database file in Dir
	Store      *sqlite.Store       // the store on DBPath
	Vault      *vault.Vault        // the vault on Store, with a development key ring in Dir
	Processors *processor.Registry // the sandbox processor, the default
	Audit      *audit.Log          // the audit log on Store
	Clock      hushpay.Clock       // the clock of Vault and Audit (hushpay.SystemClock unless WithClock)
	Logs       *LogBuffer          // what Logger wrote
	Logger     *slog.Logger        // a debug-level logger writing text (or JSON) to Logs
}

// Option sets how a Fixture differs from the plain one.
type Option func(*options)

type options struct {
	clock hushpay.Clock
	json  bool
}

// WithClock makes c the clock of the vault and the audit log, and Fixture.Clock.
func WithClock(c hushpay.Clock) Option {
	return func(o *options) { o.clock = c }
}

// JSONLogs makes Fixture.Logger write JSON instead of text.
func JSONLogs() Option {
	return func(o *options) { o.json = true }
}

// New opens a SQLite store in a new temporary directory of t and builds the vault, the sandbox
// processor registry, the audit log and the logger on it. It fails t on any error.
func New(t testing.TB, opts ...Option) *Fixture {
	t.Helper()
	o := options{clock: hushpay.SystemClock{}}
	for _, opt := range opts {
		opt(&o)
	}
	ctx := context.Background()
	f := &Fixture{Dir: t.TempDir(), Clock: o.clock, Logs: &LogBuffer{}}
	f.DBPath = filepath.Join(f.Dir, "hushpay.db")
	var err error
	if f.Store, err = sqlite.Open(ctx, f.DBPath); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Store.Close() })
	ring, _, err := vault.LoadOrCreateDevKeyRing(f.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if f.Vault, err = vault.New(ctx, f.Store, ring, f.Clock); err != nil {
		t.Fatal(err)
	}
	if f.Processors, err = processor.NewRegistry("sandbox", sandbox.New(sandbox.Options{})); err != nil {
		t.Fatal(err)
	}
	f.Audit = audit.New(f.Store, f.Clock)
	handler := &slog.HandlerOptions{Level: slog.LevelDebug}
	if o.json {
		f.Logger = slog.New(slog.NewJSONHandler(f.Logs, handler))
	} else {
		f.Logger = slog.New(slog.NewTextHandler(f.Logs, handler))
	}
	return f
}
