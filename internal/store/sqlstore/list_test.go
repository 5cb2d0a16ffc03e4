package sqlstore

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
)

// TestListNumbersParameters checks the statement a filtered, continued list sends in the $n
// style: every condition's ? numbered in order, the limit last.
func TestListNumbersParameters(t *testing.T) {
	d := Dialect{
		Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
		Time:        func(t time.Time) any { return t },
	}
	var gotSQL string
	var gotArgs []any
	query := func(_ context.Context, sql string, args ...any) (Rows, error) {
		gotSQL, gotArgs = sql, args
		return nil, errors.New("stop")
	}
	cursor := Cursor{CreatedMicros: 1764099726123456, ID: "call_9"}.Encode()
	_, err := ListCalls(t.Context(), d, query, "acme", hushpay.CallFilter{State: "ended", SIPCallID: "abc@host", Cursor: cursor, Limit: 5})
	if err == nil {
		t.Fatal("the query's error was lost")
	}
	want := `SELECT data, version, created_at, id FROM calls WHERE tenant = $1 AND state = $2 AND EXISTS (SELECT 1 FROM call_legs l
			WHERE l.tenant = calls.tenant AND l.call_id = calls.id AND l.sip_call_id = $3) AND (created_at, id) < ($4, $5) ORDER BY created_at DESC, id DESC LIMIT $6`
	if gotSQL != want {
		t.Errorf("SQL =\n%s\nwant\n%s", gotSQL, want)
	}
	if len(gotArgs) != 6 || gotArgs[0] != "acme" || gotArgs[2] != "abc@host" || gotArgs[4] != "call_9" || gotArgs[5] != 6 ||
		!gotArgs[3].(time.Time).Equal(FromMicros(1764099726123456)) {
		t.Errorf("args = %v", gotArgs)
	}
}
