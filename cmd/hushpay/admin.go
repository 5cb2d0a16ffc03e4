package main

import (
	"context"
	"fmt"
	"io"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/apikey"
	"github.com/hushpay/hushpay/internal/audit"
	"github.com/hushpay/hushpay/internal/store"
)

func cmdAPIKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: hushpay apikey create --role agent|supervisor|admin|auditor [--tenant NAME] [--name LABEL]", errUsage)
	}
	fs := newServiceFlagSet("apikey create", "apikey create --role ROLE [--tenant NAME] [--name LABEL] [--config FILE]", stderr)
	role := fs.String("role", "", "agent, supervisor, admin or auditor")
	tenant := fs.String("tenant", hushpay.DefaultTenant, "the tenant the key acts in")
	name := fs.String("name", "", "a label for the key")
	cfg, err := parseConfig(fs, args[1:])
	if err != nil {
		return err
	}
	if !hushpay.Role(*role).Valid() {
		return fmt.Errorf("%w: --role must be agent, supervisor, admin or auditor", errUsage)
	}
	log := newLogger(cfg, stderr)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	secret, key, err := apikey.Create(ctx, a.store, a.audit, *tenant, hushpay.Role(*role), *name, hushpay.SystemClock{}.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "API key %s created for tenant %q with role %s. It is shown once; store it now:\n", key.ID, key.Tenant, key.Role)
	fmt.Fprintln(stdout, secret)
	return nil
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newServiceFlagSet("migrate", "migrate [--config FILE]", stderr)
	cfg, err := parseConfig(fs, args)
	if err != nil {
		return err
	}
	applied, err := store.Migrate(ctx, cfg.DatabaseURL(), "")
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database schema is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(stdout, "applied", m)
	}
	return nil
}

func cmdAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return fmt.Errorf("%w: hushpay audit verify [--config FILE]", errUsage)
	}
	fs := newServiceFlagSet("audit verify", "audit verify [--config FILE]", stderr)
	cfg, err := parseConfig(fs, args[1:])
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL(), "")
	if err != nil {
		return err
	}
	defer st.Close()
	report, err := audit.Verify(ctx, st)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, report)
	if !report.OK() {
		return fmt.Errorf("the audit trail is broken")
	}
	return nil
}

func cmdKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return fmt.Errorf("%w: hushpay keys rotate [--config FILE]", errUsage)
	}
	fs := newServiceFlagSet("keys rotate", "keys rotate [--config FILE]", stderr)
	cfg, err := parseConfig(fs, args[1:])
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	wrapped, err := a.vault.RewrapDataKeys(ctx)
	if err != nil {
		return err
	}
	version, err := a.vault.RotateDataKey(ctx)
	if err != nil {
		return err
	}
	n, err := a.vault.Rewrap(ctx, a.store, 500)
	if err != nil {
		return err
	}
	actor := hushpay.System(hushpay.DefaultTenant)
	if err := a.audit.Record(ctx, actor.Tenant, "cli:keys", "keys.rotated", "data_key", fmt.Sprint(version),
		map[string]string{"tokens_rewrapped": fmt.Sprint(n), "data_keys_rewrapped": fmt.Sprint(wrapped)}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "data key v%d is now active; %d token(s) re-sealed; %d data key(s) re-wrapped under the current key-encryption key\n", version, n, wrapped)
	return nil
}
