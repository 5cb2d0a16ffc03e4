package b2bua_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsStayInTheirLane keeps the SIP side away from HTTP and from card data's internals
// (doc.go): it reaches payments only through the Payments interface. The sdp package imports no
// SIP library either.
func TestImportsStayInTheirLane(t *testing.T) {
	tests := []struct {
		dir       string
		forbidden []string
	}{
		{".", []string{"net/http", "github.com/hushpay/hushpay/internal/api", "github.com/hushpay/hushpay/internal/store",
			"github.com/hushpay/hushpay/internal/vault", "github.com/hushpay/hushpay/internal/card",
			"github.com/hushpay/hushpay/internal/payments", "github.com/hushpay/hushpay/internal/capture"}},
		{"sdp", []string{"net/http", "github.com/emiago/sipgo", "github.com/hushpay/hushpay/internal"}},
	}
	for _, tt := range tests {
		t.Run("package "+tt.dir, func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join(tt.dir, "*.go"))
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, name := range files {
				if strings.HasSuffix(name, "_test.go") {
					continue
				}
				f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
				if err != nil {
					t.Fatal(err)
				}
				checked++
				for _, imp := range f.Imports {
					path, _ := strconv.Unquote(imp.Path.Value)
					for _, bad := range tt.forbidden {
						if path == bad || strings.HasPrefix(path, bad+"/") {
							t.Errorf("%s imports %s", name, path)
						}
					}
				}
			}
			if checked == 0 {
				t.Fatal("no files checked")
			}
		})
	}
}
