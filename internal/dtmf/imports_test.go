package dtmf

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyTheStandardLibrary keeps the signal processing free of I/O, networking and the
// rest of hushpay, as doc.go promises.
func TestImportsOnlyTheStandardLibrary(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"net", "net/http", "os", "os/exec", "database/sql", "log", "log/slog"}
	for _, imp := range pkg.Imports {
		if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
			t.Errorf("dtmf imports %s: only the standard library is allowed", imp)
		}
		for _, bad := range forbidden {
			if imp == bad {
				t.Errorf("dtmf imports %s: the detector does no I/O", imp)
			}
		}
	}
}
