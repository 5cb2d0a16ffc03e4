package lanecheck

import (
	"go/build"
	"strings"
	"testing"
)

// Forbid fails t for each import of the package in dir (its non-test files) that is one of
// forbidden or a package below one.
func Forbid(t testing.TB, dir string, forbidden ...string) {
	t.Helper()
	pkg, err := build.ImportDir(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		for _, bad := range forbidden {
			if imp == bad || strings.HasPrefix(imp, bad+"/") {
				t.Errorf("%s imports %s", pkg.ImportPath, imp)
			}
		}
	}
}
