package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/hushpay/hushpay/internal/store/sqlstore"
	"github.com/jackc/pgx/v5/pgxpool"
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
	q := &listQuery{table: table}
	q.cond("tenant = ?", tenant)
	return q
}

// where adds "column = value" unless value is empty (a zero filter field does not filter).
func (q *listQuery) where(column, value string) {
	if value != "" {
		q.cond(column+" = ?", value)
	}
}

// cond adds a condition; each ? in it is numbered as the next $n.
func (q *listQuery) cond(sql string, args ...any) {
	for _, a := range args {
		q.args = append(q.args, a)
		sql = strings.Replace(sql, "?", "$"+strconv.Itoa(len(q.args)), 1)
	}
	q.conds = append(q.conds, sql)
}

// run fetches one page plus one row (to know whether there are more), calls decode for each row's
// data and version, and returns each row's cursor.
func (q *listQuery) run(ctx context.Context, pool *pgxpool.Pool, cursor string, limit int,
	decode func(data []byte, version int64) error) ([]sqlstore.Cursor, error) {
	after, ok, err := sqlstore.DecodeCursor(cursor)
	if err != nil {
		return nil, err
	}
	if ok {
		t := sqlstore.FromMicros(after.CreatedMicros)
		q.cond("(created_at, id) < (?, ?)", t, after.ID)
	}
	q.limit = sqlstore.Limit(limit)
	q.args = append(q.args, q.limit+1)
	query := "SELECT data, version, created_at, id FROM " + q.table +
		" WHERE " + strings.Join(q.conds, " AND ") +
		" ORDER BY created_at DESC, id DESC LIMIT $" + strconv.Itoa(len(q.args))
	rows, err := pool.Query(ctx, query, q.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cursors []sqlstore.Cursor
	for rows.Next() {
		var data []byte
		var version int64
		var created time.Time
		var id string
		if err := rows.Scan(&data, &version, &created, &id); err != nil {
			return nil, err
		}
		if err := decode(data, version); err != nil {
			return nil, err
		}
		cursors = append(cursors, sqlstore.Cursor{CreatedMicros: sqlstore.Micros(created), ID: id})
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
