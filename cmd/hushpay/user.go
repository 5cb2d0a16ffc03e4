package main

import (
	"context"
	"fmt"
	"io"

	"github.com/hushpay/hushpay"
)

func cmdUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: hushpay user create --email ADDRESS --role agent|supervisor|admin|auditor [--tenant NAME]", errUsage)
	}
	fs := newServiceFlagSet("user create", "user create --email ADDRESS --role ROLE [--tenant NAME] [--config FILE]", stderr)
	email := fs.String("email", "", "the person's email address (their sign-in name)")
	role := fs.String("role", "", "agent, supervisor, admin or auditor")
	tenant := fs.String("tenant", hushpay.DefaultTenant, "the tenant the user works in")
	cfg, err := parseConfig(fs, args[1:])
	if err != nil {
		return err
	}
	if !hushpay.Role(*role).Valid() {
		return fmt.Errorf("%w: --role must be agent, supervisor, admin or auditor", errUsage)
	}
	if *email == "" {
		return fmt.Errorf("%w: --email is required", errUsage)
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	u, token, err := a.users.Create(ctx, *email, *tenant, hushpay.Role(*role))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "User %s created for tenant %q with role %s. Send them this one-time set-up link (valid 72 hours);\n"+
		"they choose a password and add hushpay to an authenticator app there:\n", u.Email, u.Tenant, u.Role)
	fmt.Fprintln(stdout, cfg.BaseURL()+"/enrol/"+token)
	return nil
}
