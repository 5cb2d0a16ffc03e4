package users

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps the users package off HTTP, the payment service, the vault and the main
// store's drivers.
func TestImports(t *testing.T) {
	banned := []string{"net/http", "internal/payments", "internal/vault", "internal/store", "internal/web"}
	for _, dir := range []string{".", "sqlstore"} {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			for _, b := range banned {
				if imp == b || strings.HasSuffix(imp, "/"+b) {
					t.Errorf("%s imports %s", pkg.ImportPath, imp)
				}
			}
		}
	}
}
