package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

// listQuery builds a newest-first, cursor-paged query over a table with the columns tenant, id,
// created_at, version and data.
type listQuery struct {
	table string
	conds []string
	args  []any
	limit int
}

func newListQuery(table, tenant string) *listQuery {
	return &listQuery{table: table, conds: []string{"tenant = ?"}, args: []any{tenant}}
}

// where adds "column = value" unless value is empty (a zero filter field does not filter).
func (q *listQuery) where(column, value string) {
	if value != "" {
		q.cond(column+" = ?", value)
	}
}

func (q *listQuery) cond(sql string, args ...any) {
	q.conds = append(q.conds, sql)
	q.args = append(q.args, args...)
}

// run fetches one page plus one row (to know whether there are more), calls decode for each row's
// data and version, and returns each row's cursor.
func (q *listQuery) run(ctx context.Context, db *sql.DB, cursor string, limit int,
	decode func(data []byte, version int64) error) ([]sqlstore.Cursor, error) {
	after, ok, err := sqlstore.DecodeCursor(cursor)
	if err != nil {
		return nil, err
	}
	if ok {
		q.cond("(created_at < ? OR (created_at = ? AND id < ?))", after.CreatedMicros, after.CreatedMicros, after.ID)
	}
	q.limit = sqlstore.Limit(limit)
	query := "SELECT data, version, created_at, id FROM " + q.table +
		" WHERE " + strings.Join(q.conds, " AND ") +
		" ORDER BY created_at DESC, id DESC LIMIT ?"
	rows, err := db.QueryContext(ctx, query, append(q.args, q.limit+1)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cursors []sqlstore.Cursor
	for rows.Next() {
		var data []byte
		var version int64
		var c sqlstore.Cursor
		if err := rows.Scan(&data, &version, &c.CreatedMicros, &c.ID); err != nil {
			return nil, err
		}
		if err := decode(data, version); err != nil {
			return nil, err
		}
		cursors = append(cursors, c)
	}
	return cursors, rows.Err()
}

// cutPage keeps the first limit items and, when there were more, the cursor of the last one kept.
func cutPage[T any](items []T, cursors []sqlstore.Cursor, limit int) ([]T, bool, string) {
	items, more := sqlstore.Cut(items, limit)
	if !more {
		return items, false, ""
	}
	return items, true, cursors[limit-1].Encode()
}
