package capture

import (
	"go/build"
	"testing"
)

// TestImports keeps the engine free of I/O: it may import the domain, internal/card and the standard
// library's pure packages only.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"github.com/hushpay/hushpay": true, "github.com/hushpay/hushpay/internal/card": true,
		"errors": true, "fmt": true, "log/slog": true, "slices": true, "strings": true, "time": true,
	}
	for _, imp := range pkg.Imports {
		if !allowed[imp] {
			t.Errorf("capture imports %s", imp)
		}
	}
	if pkg.Name != "capture" {
		t.Errorf("read package %s, want capture", pkg.Name)
	}
}
