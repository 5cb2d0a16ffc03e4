package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/audit"
	"github.com/hushpay/hushpay/internal/config"
	"github.com/hushpay/hushpay/internal/notify"
	"github.com/hushpay/hushpay/internal/payments"
	"github.com/hushpay/hushpay/internal/processor"
	"github.com/hushpay/hushpay/internal/processor/sandbox"
	"github.com/hushpay/hushpay/internal/store"
	"github.com/hushpay/hushpay/internal/users"
	usersql "github.com/hushpay/hushpay/internal/users/sqlstore"
	"github.com/hushpay/hushpay/internal/vault"
)

// app is hushpay's wired core: configuration, logger, store, vault, audit log, payment service and
// the web users.
type app struct {
	cfg       config.Config
	log       *slog.Logger
	store     hushpay.Store
	vault     *vault.Vault
	audit     *audit.Log
	payments  *payments.Service
	userStore *usersql.Store
	users     *users.Manager
	// node names this process among the nodes sharing the database: in the calls its B2BUA
	// anchors (hushpay.Call.Node) and in its cluster notifications, so that a command for a call
	// reaches the node that holds the call's capture session.
	node string
}

// parseConfig parses a command's flags, to which it adds --config, and loads the configuration.
func parseConfig(fs *flag.FlagSet, args []string) (config.Config, error) {
	path := fs.String("config", os.Getenv("HUSHPAY_CONFIG"), "configuration `file` (YAML or TOML); settings also come from HUSHPAY_* variables")
	if err := fs.Parse(args); err != nil {
		return config.Config{}, fmt.Errorf("%w: %v", errUsage, err)
	}
	return config.Load(*path, os.Getenv)
}

// newServiceFlagSet returns a flag set that reports to stderr and lists every setting in its usage.
func newServiceFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: hushpay %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nsettings (environment variable, default, meaning):")
		for _, line := range config.Describe() {
			fmt.Fprintln(stderr, "  "+line)
		}
	}
	return fs
}

// openApp opens the store (running migrations), the vault and the payment service.
func openApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	st, err := store.Open(ctx, cfg.DatabaseURL(), "")
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, store: st, audit: audit.New(st, hushpay.SystemClock{}), node: nodeName()}
	ring, err := keyRing(cfg, log)
	if err == nil {
		a.vault, err = vault.New(ctx, st, ring, hushpay.SystemClock{})
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	procs, err := processor.NewRegistry(cfg.Processor, sandbox.New(sandbox.Options{}))
	if err != nil {
		st.Close()
		return nil, err
	}
	senders, err := linkSenders(cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	a.payments, err = payments.New(payments.Config{
		Store: st, Vault: a.vault, Processors: procs, Audit: a.audit, Logger: log,
		PaymentTTL: cfg.PaymentTTL, LinkTTL: cfg.LinkTTL, Retention: cfg.Retention,
		PublicURL: cfg.BaseURL(), Merchant: cfg.Merchant, Senders: senders,
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	if err := a.openUsers(ctx); err != nil {
		a.payments.Close()
		st.Close()
		return nil, err
	}
	return a, nil
}

// openUsers opens the web users' tables (in the same database) and their manager, which seals
// their TOTP secrets with the vault.
func (a *app) openUsers(ctx context.Context) error {
	us, err := usersql.Open(ctx, a.cfg.DatabaseURL(), a.cfg.DataDir)
	if err != nil {
		return err
	}
	m, err := users.New(users.Config{Store: us, Audit: a.audit, Logger: a.log, Sealer: a.vault})
	if err != nil {
		us.Close()
		return err
	}
	a.userStore, a.users = us, m
	return nil
}

// linkSenders returns the configured link delivery channels: "email" with smtp_url, "sms" with
// sms_url.
func linkSenders(cfg config.Config) (map[string]payments.LinkSender, error) {
	senders := map[string]payments.LinkSender{}
	if cfg.SMTPURL != "" {
		s, err := notify.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("invalid setting %w (HUSHPAY_SMTP_URL)", err)
		}
		senders["email"] = s
	}
	if cfg.SMSURL != "" {
		tw, err := notify.ParseSMSURL(cfg.SMSURL)
		if err != nil {
			return nil, fmt.Errorf("invalid setting %w (HUSHPAY_SMS_URL)", err)
		}
		senders["sms"] = &notify.SMS{Provider: tw}
	}
	return senders, nil
}

// keyRing returns the configured key-encryption keys, or the development key in the data dir.
func keyRing(cfg config.Config, log *slog.Logger) (*vault.KeyRing, error) {
	if cfg.KEK != "" {
		ring, err := vault.ParseKeyRing(cfg.KEK)
		if err != nil {
			return nil, fmt.Errorf("invalid setting kek (HUSHPAY_KEK): %w", err)
		}
		return ring, nil
	}
	ring, created, err := vault.LoadOrCreateDevKeyRing(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	log.Warn("USING A DEVELOPMENT KEY-ENCRYPTION KEY stored in the data dir: fine on a laptop, NEVER in production; set HUSHPAY_KEK",
		"created", created, "data_dir", cfg.DataDir)
	return ring, nil
}

// runCluster links this node's payment service to the other nodes sharing its PostgreSQL database
// (events and call changes over NOTIFY/LISTEN) until ctx ends. With SQLite, a single node, there is
// nothing to link: it returns at once.
func (a *app) runCluster(ctx context.Context) {
	if bus, ok := a.store.(payments.Bus); ok {
		a.payments.RunCluster(ctx, payments.ClusterConfig{Bus: bus, Node: a.node})
	}
}

// Close stops the payment service and closes the user store and the database.
func (a *app) Close() error {
	a.payments.Close()
	a.userStore.Close()
	return a.store.Close()
}

// newLogger returns the process logger: slog text or JSON on w, at the configured level.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// nodeName returns this process's node name: the host name and a random suffix, since several
// nodes may run on one host.
func nodeName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "hushpay"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return host + "-" + hex.EncodeToString(b[:])
}
