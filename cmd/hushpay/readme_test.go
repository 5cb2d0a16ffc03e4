package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeWalkthroughWorksAsWritten runs the README's walk-through shell blocks, as a new user
// would copy them, against a running server: the commands must work exactly as printed.
func TestReadmeWalkthroughWorksAsWritten(t *testing.T) {
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed to run the README walk-through in CI", tool)
			}
			t.Skipf("%s not installed: cannot run the README walk-through", tool)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := walkthroughBlocks(t, string(readme))
	if len(blocks) < 5 || !strings.Contains(blocks[0], "go run ./cmd/hushpay serve") {
		t.Fatalf("the walk-through should start the server and then use it; found %d blocks", len(blocks))
	}

	s := startServer(t, nil)
	bin := filepath.Join(t.TempDir(), "hushpay")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The blocks after the first run in one shell, as in the user's second terminal; the server
	// is the one started above, on its own port and data dir.
	script := "set -euo pipefail\nhushpay_cli() { " + bin + " \"$@\"; }\n" + strings.Join(blocks[1:], "\n")
	script = strings.ReplaceAll(script, "go run ./cmd/hushpay", "hushpay_cli")
	script = strings.ReplaceAll(script, "http://127.0.0.1:8080", s.base)
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("walk-through failed: %v\n%s\nlogs:\n%s", err, out, s.logs)
	}
	for _, want := range []string{`"state":"created"`, `"url":"` + s.base + `/pay/`, "Payment approved", `"state":"succeeded"`, `"last4":"4242"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("walk-through output lacks %s:\n%s", want, out)
		}
	}
	s.stop()
	assertNoCardData(t, "walk-through output", strings.ReplaceAll(string(out), "4242 4242 4242 4242", ""))
	assertNoCardData(t, "logs", s.logs.String())
}

// walkthroughBlocks returns the ```sh blocks of the README's walk-through section.
func walkthroughBlocks(t *testing.T, readme string) []string {
	t.Helper()
	start := strings.Index(readme, "## Five-minute walk-through")
	if start < 0 {
		t.Fatal("README has no walk-through section")
	}
	section := readme[start+3:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}
