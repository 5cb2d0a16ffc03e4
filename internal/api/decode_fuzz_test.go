package api

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// digitRun finds what could be a card or account number in an error shown to a client.
var digitRun = regexp.MustCompile(`[0-9]{5,}`)

func FuzzDecodeBody(f *testing.F) {
	f.Add([]byte(`{"amount": 100, "currency": "usd", "reference": "r"}`))
	f.Add([]byte(`{"4242424242424242": 1}`))
	f.Add([]byte(`{"metadata": {"5555555555554444": 1}}`))
	f.Add([]byte(`{"amount": "378282246310005"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/v1/payments", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/json")
		var v createBody
		err := decodeBody(r, &v, false)
		if err == nil {
			return
		}
		status, d := describe(err)
		if status != 400 && status != 413 {
			t.Fatalf("status %d for a bad body", status)
		}
		if digitRun.MatchString(d.Message + " " + d.Field + " " + d.Code) {
			t.Fatalf("the error repeats digits of the input: %+v", d)
		}
	})
}

func FuzzParseQuery(f *testing.F) {
	f.Add("limit=10&state=ready")
	f.Add("4242424242424242=1")
	f.Add("limit=%zz")
	f.Fuzz(func(t *testing.T, query string) {
		r := httptest.NewRequest(http.MethodGet, "/v1/payments", nil)
		r.URL.RawQuery = query
		q, err := parseQuery(r, "call_id", "state", "reference")
		if err != nil {
			if _, d := describe(err); digitRun.MatchString(d.Message + " " + d.Field) {
				t.Fatalf("the error repeats digits of the input: %+v", d)
			}
			return
		}
		if q.limit < 1 || q.limit > MaxLimit {
			t.Fatalf("limit %d accepted", q.limit)
		}
	})
}
