package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"

	"github.com/hushpay/hushpay"
)

// decodeBody parses the request's JSON object body into v, strictly: the Content-Type must be JSON,
// unknown fields, wrong types and trailing data are errors naming the field (never its value). An
// empty body is accepted as {} when optional is set.
func decodeBody(r *http.Request, v any, optional bool) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyReadError(err)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		if optional {
			return nil
		}
		return hushpay.FieldError("", "invalid_json", "the request body must be a JSON object")
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		return &httpError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			message: "the request body must be sent as application/json"}
	}
	if body[0] != '{' {
		return hushpay.FieldError("", "invalid_json", "the request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return hushpay.FieldError("", "invalid_json", "the request body has data after its JSON object")
	}
	return nil
}

func bodyReadError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &hushpay.Error{Kind: hushpay.KindTooLarge, Code: "body_too_large",
			Message: "the request body is larger than 1 MiB"}
	}
	return &hushpay.Error{Kind: hushpay.KindInvalid, Code: "unreadable_body",
		Message: "the request body could not be read", Err: err}
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// jsonError describes a decoding failure by the field it concerns, never by the value it saw.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := safeField(typeErr.Field)
		if field == "" {
			return hushpay.FieldError("", "invalid_json", "the request body must be a JSON object")
		}
		return hushpay.FieldError(field, "invalid_type", field+" has the wrong type")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field := safeField(strings.Trim(name, `"`))
		return hushpay.FieldError(field, "unknown_field", "the request has a field this endpoint does not accept")
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return bodyReadError(err)
	}
	return hushpay.FieldError("", "invalid_json", "the request body is not valid JSON")
}

// fieldSegment is a field name that is safe to repeat in an error: it looks like an identifier and
// cannot carry a card or account number.
var fieldSegment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,63}$`)

// safeField returns the leading part of a dotted field path whose segments are safe to repeat (a
// metadata key, for instance, is the client's data and is cut off).
func safeField(path string) string {
	var kept []string
	for seg := range strings.SplitSeq(path, ".") {
		if !fieldSegment.MatchString(seg) || digits(seg) > 3 {
			break
		}
		kept = append(kept, seg)
	}
	return strings.Join(kept, ".")
}

func digits(s string) int {
	n := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			n++
		}
	}
	return n
}
