package sqlstore

import (
	"encoding/json"
	"errors"
	"fmt"
)

// DecodeJSON decodes a stored JSON column into v. Its error names what was decoded and where it
// failed but, unlike encoding/json's own errors, never quotes a value from the row.
func DecodeJSON(what string, data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return fmt.Errorf("decode %s: field %q does not hold a %s", what, typeErr.Field, typeErr.Type)
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("decode %s: malformed JSON at byte %d", what, syntaxErr.Offset)
	}
	return fmt.Errorf("decode %s: the stored JSON cannot be read", what)
}
