package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
)

// TestTheOpenAPIDocumentMatchesTheRoutes checks that every served route is documented with the
// authentication it really needs, and that nothing undocumented is served.
func TestTheOpenAPIDocumentMatchesTheRoutes(t *testing.T) {
	var doc struct {
		Security []map[string]any `json:"security"`
		Paths    map[string]map[string]struct {
			Security *[]map[string]any `json:"security"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openapiDocument, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Security) == 0 {
		t.Fatal("the document has no default security requirement")
	}
	s := newServer(Config{Payments: nil, Clock: hushpay.SystemClock{}})
	documented := 0
	for _, paths := range doc.Paths {
		documented += len(paths)
	}
	routes := s.routes()
	if documented != len(routes) {
		t.Errorf("the document has %d operations, the API serves %d routes", documented, len(routes))
	}
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("%s is served but not documented", rt.pattern)
			continue
		}
		public := op.Security != nil && len(*op.Security) == 0
		if public != (rt.public != nil) {
			t.Errorf("%s: documented public=%v, served public=%v", rt.pattern, public, rt.public != nil)
		}
		if rt.public == nil && !hushpay.RoleAdmin.Can(rt.perm) {
			t.Errorf("%s names no permission of the matrix", rt.pattern)
		}
	}
}
