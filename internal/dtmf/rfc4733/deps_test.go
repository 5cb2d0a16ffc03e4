package rfc4733

import (
	"go/build"
	"slices"
	"strings"
	"testing"
)

// TestDependencies keeps the package free of network, SIP, HTTP and storage code: it may import
// the standard library (but not net or database packages) and only the modules listed here.
func TestDependencies(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := []string{"github.com/pion/rtp"}
	for _, imp := range pkg.Imports {
		std := !strings.Contains(strings.Split(imp, "/")[0], ".")
		forbidden := imp == "net" || strings.HasPrefix(imp, "net/") || strings.HasPrefix(imp, "database/") || imp == "os/exec"
		if (std && forbidden) || (!std && !slices.Contains(allowed, imp)) {
			t.Errorf("imports %s", imp)
		}
	}
}
