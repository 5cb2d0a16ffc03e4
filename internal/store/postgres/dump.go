package postgres

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
)

// Dump writes the rows of every table in the store's schema as PostgreSQL's COPY text, each table
// after a "-- table NAME" line. It is meant for tests that scan everything the database holds
// (for card numbers, say); it reads whole tables.
func (s *Store) Dump(ctx context.Context, w io.Writer) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return dbError("dump", err)
	}
	defer conn.Release()
	rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`)
	if err != nil {
		return dbError("dump", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return dbError("dump", err)
	}
	for _, table := range tables {
		if _, err := fmt.Fprintf(w, "-- table %s\n", table); err != nil {
			return err
		}
		copySQL := "COPY " + pgx.Identifier{table}.Sanitize() + " TO STDOUT"
		if _, err := conn.Conn().PgConn().CopyTo(ctx, w, copySQL); err != nil {
			return dbError("dump", err)
		}
	}
	return nil
}
