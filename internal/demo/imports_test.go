package demo

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsStayInTheirLane keeps the demo on the service side of hushpay's boundaries (doc.go):
// no HTTP, no API, no store implementation, no vault, no card internals.
func TestImportsStayInTheirLane(t *testing.T) {
	forbidden := []string{"net/http", "github.com/hushpay/hushpay/internal/api", "github.com/hushpay/hushpay/internal/store",
		"github.com/hushpay/hushpay/internal/vault", "github.com/hushpay/hushpay/internal/card",
		"github.com/hushpay/hushpay/internal/capture"}
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
		t.Fatal("no files checked")
	}
}
