package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/hushpay/hushpay"
)

// DefaultLimit is the page size of a list request that names none; MaxLimit is the largest allowed.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

const maxQueryValue = 512

// listQuery is a list request's parsed query: its filters, limit and cursor.
type listQuery struct {
	values url.Values
	limit  int
	cursor string
}

func (q listQuery) get(name string) string { return q.values.Get(name) }

// parseQuery reads a list's query string: the named filters, limit (1..100) and cursor. Unknown or
// repeated parameters are errors naming the parameter, never repeating its value.
func parseQuery(r *http.Request, filters ...string) (listQuery, error) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return listQuery{}, hushpay.FieldError("", "invalid_query", "the query string is malformed")
	}
	q := listQuery{values: values, limit: DefaultLimit, cursor: values.Get("cursor")}
	for name, vs := range values {
		if name != "limit" && name != "cursor" && !slices.Contains(filters, name) {
			return listQuery{}, hushpay.FieldError(safeField(name), "unknown_parameter", "the query has a parameter this endpoint does not accept")
		}
		if len(vs) > 1 || len(vs[0]) > maxQueryValue {
			return listQuery{}, hushpay.FieldError(name, "invalid_parameter", name+" must be given once and be short")
		}
	}
	if s := values.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return listQuery{}, hushpay.FieldError("limit", "invalid_limit", "limit must be an integer from 1 to 100")
		}
		q.limit = n
	}
	return q, nil
}
