package card

import (
	"go/build"
	"testing"
)

// TestImports keeps validation free of I/O: the domain and the standard library's pure packages only.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"github.com/hushpay/hushpay": true, "fmt": true, "log/slog": true, "math/bits": true,
		"slices": true, "strings": true, "time": true, "unicode": true,
	}
	for _, imp := range pkg.Imports {
		if !allowed[imp] {
			t.Errorf("card imports %s", imp)
		}
	}
}
