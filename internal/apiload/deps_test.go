package apiload

import (
	"go/build"
	"slices"
	"testing"
)

// TestDependencies keeps the generator on serve's own path to the database and out of the test
// machinery: a tool that imported package testing would grow its flags.
func TestDependencies(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{
		"testing",
		"github.com/hushpay/hushpay/internal/store/sqlite",
		"github.com/hushpay/hushpay/internal/store/postgres",
		"github.com/hushpay/hushpay/internal/store/storetest",
	}
	for _, imp := range pkg.Imports {
		if slices.Contains(forbidden, imp) {
			t.Errorf("imports %s", imp)
		}
	}
	if !slices.Contains(pkg.Imports, "github.com/hushpay/hushpay/internal/store") {
		t.Error("does not open the database through internal/store")
	}
}
