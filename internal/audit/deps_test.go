package audit

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyTheDomain keeps the audit trail independent of stores, the vault and the API:
// it may import the root package, internal/card (pure validation) and the standard library only.
func TestImportsOnlyTheDomain(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		stdlib := !strings.Contains(strings.Split(imp, "/")[0], ".")
		if !stdlib && imp != "github.com/hushpay/hushpay" && imp != "github.com/hushpay/hushpay/internal/card" {
			t.Errorf("package audit imports %s", imp)
		}
	}
}
