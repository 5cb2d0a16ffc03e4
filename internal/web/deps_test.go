package web

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps the pages off the store and the vault: they talk to the payment service and
// the users manager only.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		for _, b := range []string{"internal/store", "internal/vault", "internal/users/sqlstore", "database/sql"} {
			if strings.HasSuffix(imp, "/"+b) || imp == b || strings.Contains(imp, "/"+b+"/") {
				t.Errorf("package web imports %s", imp)
			}
		}
	}
}
