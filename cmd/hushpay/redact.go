package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/hushpay/hushpay/internal/redact"
)

const redactUsage = `usage:
  hushpay redact recording IN.wav -o OUT.wav [--mask tone|silence] [--guard 20ms]
  hushpay redact text [--all] < IN > OUT`

// cmdRedact runs "hushpay redact recording" and "hushpay redact text".
func cmdRedact(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: missing subcommand\n%s", errUsage, redactUsage)
	}
	switch args[0] {
	case "recording":
		return redactRecording(args[1:], stdout, stderr)
	case "text":
		return redactText(args[1:], os.Stdin, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprintln(stderr, redactUsage)
		return nil
	}
	return fmt.Errorf("%w: unknown subcommand %q\n%s", errUsage, args[0], redactUsage)
}

func redactRecording(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("redact recording", stderr)
	out := fs.String("o", "", "output WAV `file` (required)")
	maskName := fs.String("mask", "tone", "what replaces each key press: tone (a neutral 500 Hz tone) or silence")
	guard := fs.Duration("guard", redact.DefaultGuard, "margin removed on each side of a key press")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return fmt.Errorf("%w: want IN.wav and -o OUT.wav\n%s", errUsage, redactUsage)
	}
	mask, err := redact.ParseMask(*maskName)
	if err != nil {
		return fmt.Errorf("%w: --mask: %v", errUsage, err)
	}
	if *guard < 0 {
		return fmt.Errorf("%w: --guard must not be negative", errUsage)
	}
	if *guard == 0 {
		*guard = -1 // RecordingRedactor reads 0 as the default; the user asked for none
	}
	a, err := readWAV(pos[0])
	if err != nil {
		return err
	}
	res, err := redact.RecordingRedactor{Mask: mask, Guard: *guard}.Redact(a)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := a.Rewrite(&buf, res.Data); err != nil {
		return err
	}
	if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "removed %d key %s\n", res.Presses, plural(res.Presses, "press", "presses"))
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func redactText(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("redact text", stderr)
	all := fs.Bool("all", false, "also mask ABA routing numbers and other runs of 10 or more digits (account numbers)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("%w: redact text reads standard input and takes no file\n%s", errUsage, redactUsage)
	}
	_, err = redact.Text{All: *all}.Copy(stdout, stdin)
	return err
}
