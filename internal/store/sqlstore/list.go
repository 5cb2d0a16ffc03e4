package sqlstore

import (
	"context"
	"strings"

	"github.com/hushpay/hushpay"
)

// ListPayments returns a newest-first page of the tenant's payments matching f, read with query.
func ListPayments(ctx context.Context, d Dialect, query Querier, tenant string, f hushpay.PaymentFilter) (hushpay.Page[*hushpay.Payment], error) {
	q := newList(d, "payments", tenant)
	q.where("call_id", f.CallID)
	q.where("state", string(f.State))
	q.where("reference", f.Reference)
	return listPage(ctx, query, q, f.Cursor, f.Limit, Payments.Decode)
}

// ListCalls returns a newest-first page of the tenant's calls matching f, read with query;
// SIPCallID matches the Call-ID of either leg.
func ListCalls(ctx context.Context, d Dialect, query Querier, tenant string, f hushpay.CallFilter) (hushpay.Page[*hushpay.Call], error) {
	q := newList(d, "calls", tenant)
	q.where("state", string(f.State))
	if f.SIPCallID != "" {
		q.cond(`EXISTS (SELECT 1 FROM call_legs l
			WHERE l.tenant = calls.tenant AND l.call_id = calls.id AND l.sip_call_id = ?)`, f.SIPCallID)
	}
	return listPage(ctx, query, q, f.Cursor, f.Limit, Calls.Decode)
}

// list builds a newest-first, cursor-paged query over a table with the columns tenant, id,
// created_at, version and data. Its conditions are written with ? for each argument, numbered
// in the dialect's style as they are added.
type list struct {
	d     Dialect
	table string
	conds []string
	args  []any
}

func newList(d Dialect, table, tenant string) *list {
	q := &list{d: d, table: table}
	q.cond("tenant = ?", tenant)
	return q
}

// where adds "column = value" unless value is empty (a zero filter field does not filter).
func (q *list) where(column, value string) {
	if value != "" {
		q.cond(column+" = ?", value)
	}
}

// cond adds a condition; each ? in it binds the next of args.
func (q *list) cond(sql string, args ...any) {
	q.conds = append(q.conds, q.bind(sql, args...))
}

// bind appends args and puts their parameters in place of the ?s of sql.
func (q *list) bind(sql string, args ...any) string {
	for _, a := range args {
		q.args = append(q.args, a)
		sql = strings.Replace(sql, "?", q.d.Placeholder(len(q.args)), 1)
	}
	return sql
}

// listPage fetches the page after cursor, at most limit rows (see Limit) plus one to know
// whether there are more, decodes each row's data and version with decode, and returns the page
// with the cursor of its last row when there are more.
func listPage[T any](ctx context.Context, query Querier, q *list, cursor string, limit int,
	decode func(data []byte, version int64) (T, error)) (hushpay.Page[T], error) {
	after, ok, err := DecodeCursor(cursor)
	if err != nil {
		return hushpay.Page[T]{}, err
	}
	if ok {
		q.cond("(created_at, id) < (?, ?)", q.d.Time(FromMicros(after.CreatedMicros)), after.ID)
	}
	limit = Limit(limit)
	sql := "SELECT data, version, created_at, id FROM " + q.table +
		" WHERE " + strings.Join(q.conds, " AND ") +
		" ORDER BY created_at DESC, id DESC LIMIT " + q.bind("?", limit+1)
	type row struct {
		v      T
		cursor Cursor
	}
	rows, err := Query(ctx, query, func(r Scanner) (row, error) {
		var data []byte
		var version int64
		var created Time
		var id string
		if err := r.Scan(&data, &version, &created, &id); err != nil {
			return row{}, err
		}
		v, err := decode(data, version)
		return row{v, Cursor{CreatedMicros: Micros(created.Time), ID: id}}, err
	}, sql, q.args...)
	if err != nil {
		return hushpay.Page[T]{}, err
	}
	rows, more := Cut(rows, limit)
	var page hushpay.Page[T]
	for _, r := range rows {
		page.Data = append(page.Data, r.v)
	}
	if more {
		page.HasMore, page.NextCursor = true, rows[limit-1].cursor.Encode()
	}
	return page, nil
}
