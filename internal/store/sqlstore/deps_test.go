package sqlstore

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyTheDomain keeps the shared store code free of any database driver:
// it may import the root package and the standard library only.
func TestImportsOnlyTheDomain(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		stdlib := !strings.Contains(strings.Split(imp, "/")[0], ".")
		if !stdlib && imp != "github.com/hushpay/hushpay" {
			t.Errorf("package sqlstore imports %s", imp)
		}
	}
}
