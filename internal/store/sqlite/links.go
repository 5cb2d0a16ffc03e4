package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

// CreateLink stores a secure link; an existing (tenant, ID) or token hash is KindConflict.
func (s *Store) CreateLink(ctx context.Context, l *hushpay.Link) error {
	_, err := s.exec(ctx, "create_link", `INSERT INTO links (`+sqlstore.LinkColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		sqlstore.LinkValues(dialect, l)...)
	return err
}

// LinkByTokenHash finds a link by the SHA-256 of its token; KindNotFound if none.
func (s *Store) LinkByTokenHash(ctx context.Context, hash []byte) (*hushpay.Link, error) {
	l, err := sqlstore.ScanLink(s.reader.QueryRowContext(ctx, `SELECT `+sqlstore.LinkColumns+` FROM links
		WHERE token_hash = ?`, sqlstore.NonNil(hash)))
	if sqlstore.NoRows(err) {
		return nil, hushpay.NotFound("link")
	}
	return l, dbError("link_by_token_hash", err)
}

// UseLink marks the link used at the given time, once: a link used already is KindGone, a
// missing one KindNotFound.
func (s *Store) UseLink(ctx context.Context, tenant, id string, at time.Time) error {
	return s.write(ctx, "use_link", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE links SET used_at = ? WHERE tenant = ? AND id = ? AND used_at IS NULL`,
			dialect.Time(at), tenant, id)
		if err != nil {
			return err
		}
		return explainMiss(ctx, tx, res, "links", "link", tenant, id,
			hushpay.Errorf(hushpay.KindGone, "link_used", "the link has been used already"))
	})
}
