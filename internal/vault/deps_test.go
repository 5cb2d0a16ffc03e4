package vault_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps the vault free of I/O beyond its dev key file: no network, no database, no
// logging, nothing of hushpay but the root package and internal/card.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		internal := strings.HasPrefix(imp, "github.com/hushpay/hushpay/")
		forbidden := strings.HasPrefix(imp, "net") || strings.HasPrefix(imp, "database/") || imp == "log"
		if forbidden || (internal && imp != "github.com/hushpay/hushpay/internal/card") ||
			(!internal && imp != "github.com/hushpay/hushpay" && strings.Contains(imp, ".")) {
			t.Errorf("the vault imports %s", imp)
		}
	}
}
