package media

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps the relay free of SIP, HTTP and the payment services: its owner wires it to
// them.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowedInternal := map[string]bool{
		"github.com/hushpay/hushpay/internal/dtmf":         true,
		"github.com/hushpay/hushpay/internal/dtmf/rfc4733": true,
		"github.com/hushpay/hushpay/internal/g711":         true,
	}
	for _, imp := range pkg.Imports {
		switch {
		case imp == "net/http" || strings.HasPrefix(imp, "net/http/"):
			t.Errorf("media imports %s", imp)
		case strings.Contains(imp, "sipgo") || strings.Contains(imp, "/sip"):
			t.Errorf("media imports a SIP package: %s", imp)
		case strings.HasPrefix(imp, "github.com/hushpay/hushpay") && !allowedInternal[imp]:
			t.Errorf("media imports %s", imp)
		}
	}
}
