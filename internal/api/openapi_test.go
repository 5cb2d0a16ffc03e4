package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/api"
)

const openapiURL = "https://hushpay.example/v1/openapi.json"

// openapiChecker validates real responses against the schemas of the served OpenAPI document.
type openapiChecker struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
}

func newOpenAPIChecker(t *testing.T, served []byte) *openapiChecker {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(served))
	if err != nil {
		t.Fatalf("the OpenAPI document is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(openapiURL, doc); err != nil {
		t.Fatal(err)
	}
	return &openapiChecker{doc: doc.(map[string]any), compiler: c}
}

// schema compiles the JSON schema at a JSON pointer of the document.
func (o *openapiChecker) schema(t *testing.T, pointer string) *jsonschema.Schema {
	t.Helper()
	s, err := o.compiler.Compile(openapiURL + "#" + pointer)
	if err != nil {
		t.Fatalf("schema %s: %v", pointer, err)
	}
	return s
}

// responseSchema finds the JSON schema the document gives for a route's response status.
func (o *openapiChecker) responseSchema(t *testing.T, method, route string, status int) *jsonschema.Schema {
	t.Helper()
	op, ok := lookup(o.doc, "paths", route, strings.ToLower(method)).(map[string]any)
	if !ok {
		t.Fatalf("the document has no %s %s", method, route)
	}
	pointer := "/paths/" + escape(route) + "/" + strings.ToLower(method) + "/responses/" + fmt.Sprint(status)
	resp, ok := lookup(op, "responses", fmt.Sprint(status)).(map[string]any)
	if !ok {
		t.Fatalf("%s %s does not document status %d", method, route, status)
	}
	if ref, ok := resp["$ref"].(string); ok {
		pointer = strings.TrimPrefix(ref, "#")
	}
	return o.schema(t, pointer+"/content/application~1json/schema")
}

func (o *openapiChecker) check(t *testing.T, method, route string, res response) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(res.body))
	if err != nil {
		t.Fatalf("%s %s: %d body is not JSON: %s", method, route, res.status, res.body)
	}
	if err := o.responseSchema(t, method, route, res.status).Validate(v); err != nil {
		t.Errorf("%s %s %d does not match its schema: %v\n%s", method, route, res.status, err, res.body)
	}
}

func lookup(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func escape(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1") }

func TestOpenAPIDocumentIsServedWithoutAKey(t *testing.T) {
	h := newHarness(t)
	res := h.get("/v1/openapi.json", "")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /v1/openapi.json: %d %s", res.status, res.header.Get("Content-Type"))
	}
	if !bytes.Equal(res.body, api.OpenAPI()) {
		t.Errorf("the served document differs from api.OpenAPI()")
	}
	doc := res.json(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	o := newOpenAPIChecker(t, res.body)
	for _, name := range []string{"Payment", "Field", "Call", "Error", "List", "Link", "PaymentList", "CallList", "Event"} {
		o.schema(t, "/components/schemas/"+name)
	}
}

func TestOpenAPIDocumentsEveryRouteTheTestsKnow(t *testing.T) {
	doc := map[string]map[string]any{}
	if err := json.Unmarshal(api.OpenAPI(), &struct {
		Paths *map[string]map[string]any `json:"paths"`
	}{&doc}); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"GET /v1/openapi.json": true, "GET /healthz": true, "GET /readyz": true, "GET /metrics": true}
	for _, rc := range routeCases {
		want[rc.method+" "+rc.route] = true
	}
	got := map[string]bool{}
	for path, ops := range doc {
		for method := range ops {
			got[strings.ToUpper(method)+" "+path] = true
		}
	}
	for r := range want {
		if !got[r] {
			t.Errorf("%s is not in the document", r)
		}
	}
	for r := range got {
		if !want[r] {
			t.Errorf("the document has %s, which the API tests do not cover", r)
		}
	}
}

func TestResponsesMatchTheOpenAPISchemas(t *testing.T) {
	h := newHarness(t)
	o := newOpenAPIChecker(t, api.OpenAPI())
	admin := h.keys[hushpay.RoleAdmin]

	for _, rc := range routeCases {
		if rc.route == "/v1/payments/{id}/events" {
			continue // checked event by event below
		}
		t.Run(rc.method+" "+rc.route+" succeeds", func(t *testing.T) {
			res := h.do(request{method: rc.method, path: rc.prepare(h), key: admin, body: rc.body})
			if res.status != rc.success {
				t.Fatalf("status = %d, want %d: %s", res.status, rc.success, res.body)
			}
			o.check(t, rc.method, rc.route, res)
		})
	}

	t.Run("payments in every kind of state", func(t *testing.T) {
		for _, p := range []*hushpay.Payment{h.newPayment(tenant, false), h.newPayment(tenant, true),
			h.readyPayment(tenant, "378282246310005"), h.paidPayment(tenant, "4242424242424242"),
			h.paidPayment(tenant, "4000000000009995")} {
			o.check(t, "GET", "/v1/payments/{id}", h.get("/v1/payments/"+p.ID, admin))
		}
		refunded := h.paidPayment(tenant, "5555555555554444")
		o.check(t, "POST", "/v1/payments/{id}/refund", h.post("/v1/payments/"+refunded.ID+"/refund", admin, ""))
		o.check(t, "GET", "/v1/payments", h.get("/v1/payments?limit=2", admin))
	})

	errorCases := []struct {
		method, route, path, key, body string
		status                         int
	}{
		{"POST", "/v1/payments", "/v1/payments", admin, `{"amount": "x"}`, 400},
		{"POST", "/v1/payments", "/v1/payments", "", `{}`, 401},
		{"POST", "/v1/payments/{id}/refund", "/v1/payments/pay_x/refund", h.keys[hushpay.RoleAgent], `{}`, 403},
		{"GET", "/v1/payments/{id}", "/v1/payments/pay_missing", admin, "", 404},
		{"GET", "/v1/calls/{id}", "/v1/calls/call_missing", admin, "", 404},
		{"POST", "/v1/payments/{id}/submit", "/v1/payments/" + h.newPayment(tenant, false).ID + "/submit", admin, "", 409},
		{"POST", "/v1/payments", "/v1/payments", admin, `{"description": "` + strings.Repeat("x", 1<<20) + `"}`, 413},
	}
	for _, ec := range errorCases {
		t.Run(fmt.Sprintf("%s %s answers %d", ec.method, ec.route, ec.status), func(t *testing.T) {
			res := h.do(request{method: ec.method, path: ec.path, key: ec.key, body: ec.body})
			if res.status != ec.status {
				t.Fatalf("status = %d, want %d: %s", res.status, ec.status, res.body)
			}
			o.check(t, ec.method, ec.route, res)
		})
	}

	t.Run("health and readiness", func(t *testing.T) {
		o.check(t, "GET", "/healthz", h.get("/healthz", ""))
		o.check(t, "GET", "/readyz", h.get("/readyz", ""))
	})

	t.Run("events", func(t *testing.T) {
		p := h.paidPayment(tenant, "4242424242424242")
		res := h.get("/v1/payments/"+p.ID+"/events", admin)
		event := o.schema(t, "/components/schemas/Event")
		events := parseSSE(t, res.body)
		if len(events) == 0 {
			t.Fatal("no events")
		}
		for _, e := range events {
			v, err := jsonschema.UnmarshalJSON(strings.NewReader(e.data))
			if err != nil {
				t.Fatal(err)
			}
			if err := event.Validate(v); err != nil {
				t.Errorf("event %s does not match the Event schema: %v", e.name, err)
			}
		}
	})
}

// sseEvent is one event of a text/event-stream.
type sseEvent struct{ id, name, data string }

func parseSSE(t testing.TB, body []byte) []sseEvent {
	t.Helper()
	var events []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur != (sseEvent{}) {
				events = append(events, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "id: "):
			cur.id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data += strings.TrimPrefix(line, "data: ")
		default:
			t.Fatalf("not an event-stream line: %q", line)
		}
	}
	return events
}

func TestThePaymentSchemaRejectsWhatMustNotBeThere(t *testing.T) {
	h := newHarness(t)
	o := newOpenAPIChecker(t, api.OpenAPI())
	payment := o.schema(t, "/components/schemas/Payment")
	res := h.get("/v1/payments/"+h.paidPayment(tenant, "4242424242424242").ID, h.keys[hushpay.RoleAgent])
	changes := map[string]func(map[string]any){
		"a tenant":   func(p map[string]any) { p["tenant"] = tenant },
		"a token id": func(p map[string]any) { p["token_id"] = "tok_1" },
		"a version":  func(p map[string]any) { p["version"] = 3 },
		"no state":   func(p map[string]any) { delete(p, "state") },
		"a full card number": func(p map[string]any) {
			p["fields"].(map[string]any)["card_number"].(map[string]any)["last4"] = "4242424242424242"
		},
		"a field's attempts":    func(p map[string]any) { p["fields"].(map[string]any)["expiry"].(map[string]any)["attempts"] = 1 },
		"an amount as a string": func(p map[string]any) { p["amount"] = "1250" },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(res.body))
			if err != nil {
				t.Fatal(err)
			}
			if err := payment.Validate(v); err != nil {
				t.Fatalf("the real payment does not validate: %v", err)
			}
			change(v.(map[string]any))
			if payment.Validate(v) == nil {
				t.Errorf("a payment with %s validates", name)
			}
		})
	}
}
