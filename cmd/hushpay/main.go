package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand: it gets its own arguments and writes to stdout/stderr.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// errUsage marks an error as a usage error (exit status 2).
var errUsage = errors.New("usage")

func commands() map[string]command {
	return map[string]command{
		"serve":   {"run the payment service (HTTP API, payment pages)", cmdServe},
		"apikey":  {"create an API key: apikey create --role ROLE [--tenant NAME]", cmdAPIKey},
		"user":    {"create a web user: user create --email ADDRESS --role ROLE [--tenant NAME]", cmdUser},
		"migrate": {"apply pending database migrations", cmdMigrate},
		"audit":   {"check the audit trail: audit verify", cmdAudit},
		"keys":    {"rotate the data-encryption key and re-seal stored tokens: keys rotate", cmdKeys},
		"version": {"print the version", cmdVersion},
		"dtmf":    {"detect or generate keypad tones in WAV files", cmdDTMF},
		"redact":  {"remove keypad tones from a recording or card numbers from text", cmdRedact},
		"demo":    {"place a real SIP/RTP call through hushpay on loopback and take a test card payment", cmdDemo},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "hushpay: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	if err := c.run(ctx, args[1:], stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "hushpay %s: %v\n", args[0], err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: hushpay <command> [arguments]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
}
