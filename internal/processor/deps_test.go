package processor_test

import (
	"go/build"
	"slices"
	"strings"
	"testing"
)

// TestImports keeps the port and its connectors' shared code free of transport and storage: the
// port imports the root package, internal/card and the standard library only (no net/http, no
// database, no logging); the sandbox adds the port.
func TestImports(t *testing.T) {
	allowed := map[string][]string{
		".":             {"github.com/hushpay/hushpay", "github.com/hushpay/hushpay/internal/card"},
		"sandbox":       {"github.com/hushpay/hushpay", "github.com/hushpay/hushpay/internal/card", "github.com/hushpay/hushpay/internal/processor"},
		"processortest": {"github.com/hushpay/hushpay/internal/card", "github.com/hushpay/hushpay/internal/processor"},
	}
	for dir, ok := range allowed {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			stdlib := !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".")
			forbidden := strings.HasPrefix(imp, "net") || strings.HasPrefix(imp, "database/") || imp == "log"
			if forbidden || (!stdlib && !slices.Contains(ok, imp)) {
				t.Errorf("package %s imports %s", dir, imp)
			}
		}
	}
}
