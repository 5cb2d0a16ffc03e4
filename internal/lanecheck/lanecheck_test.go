package lanecheck

import "testing"

// recorder is a testing.TB that keeps the failures instead of reporting them.
type recorder struct {
	testing.TB
	errors int
}

func (r *recorder) Errorf(string, ...any) { r.errors++ }
func (r *recorder) Helper()               {}

// TestForbidFindsAnImportAndItsSubpackages checks the check itself on this package, which
// imports go/build, strings and testing.
func TestForbidFindsAnImportAndItsSubpackages(t *testing.T) {
	r := &recorder{TB: t}
	Forbid(r, ".", "go", "strings")
	if r.errors != 2 {
		t.Fatalf("forbidding go/… and strings: %d errors, want 2", r.errors)
	}
	r = &recorder{TB: t}
	Forbid(r, ".", "net/http", "string")
	if r.errors != 0 {
		t.Fatalf("forbidding net/http and string (not a prefix of strings): %d errors, want 0", r.errors)
	}
}
