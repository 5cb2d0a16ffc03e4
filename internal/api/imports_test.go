package api

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsStayInTheirLane keeps the API away from card data's internals: it talks to the payment
// service, never to the vault, the capture engine, a processor or a store implementation.
func TestImportsStayInTheirLane(t *testing.T) {
	forbidden := []string{
		"github.com/hushpay/hushpay/internal/vault",
		"github.com/hushpay/hushpay/internal/capture",
		"github.com/hushpay/hushpay/internal/processor",
		"github.com/hushpay/hushpay/internal/store",
		"github.com/hushpay/hushpay/internal/card",
	}
	files, err := filepath.Glob("*.go")
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
			for _, bad := range forbidden {
				if path == bad || strings.HasPrefix(path, bad+"/") {
					t.Errorf("%s imports %s", name, path)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no source files checked")
	}
}
