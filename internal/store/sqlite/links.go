package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/store/sqlstore"
)

const linkColumns = `tenant, id, payment_id, token_hash, channel, created_at, expires_at, used_at`

// CreateLink stores a secure link; an existing (tenant, ID) or token hash is KindConflict.
func (s *Store) CreateLink(ctx context.Context, l *hushpay.Link) error {
	_, err := s.exec(ctx, "create_link", `INSERT INTO links (`+linkColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		l.Tenant, l.ID, l.PaymentID, nonNil(l.TokenHash), l.Channel,
		sqlstore.Micros(l.CreatedAt), sqlstore.Micros(l.ExpiresAt), nullMicros(l.UsedAt))
	return err
}

// LinkByTokenHash finds a link by the SHA-256 of its token; KindNotFound if none.
func (s *Store) LinkByTokenHash(ctx context.Context, hash []byte) (*hushpay.Link, error) {
	var l hushpay.Link
	var created, expires int64
	var used sql.NullInt64
	err := s.reader.QueryRowContext(ctx, `SELECT `+linkColumns+` FROM links WHERE token_hash = ?`, nonNil(hash)).
		Scan(&l.Tenant, &l.ID, &l.PaymentID, &l.TokenHash, &l.Channel, &created, &expires, &used)
	if err == sql.ErrNoRows {
		return nil, hushpay.NotFound("link")
	}
	if err != nil {
		return nil, dbError("link_by_token_hash", err)
	}
	l.CreatedAt, l.ExpiresAt, l.UsedAt = sqlstore.FromMicros(created), sqlstore.FromMicros(expires), timePtr(used)
	return &l, nil
}

// UseLink marks the link used at the given time, once: a link used already is KindGone, a
// missing one KindNotFound.
func (s *Store) UseLink(ctx context.Context, tenant, id string, at time.Time) error {
	return s.write(ctx, "use_link", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE links SET used_at = ? WHERE tenant = ? AND id = ? AND used_at IS NULL`,
			sqlstore.Micros(at), tenant, id)
		if err != nil {
			return err
		}
		err = checkChanged(ctx, tx, res, "links", "link", tenant, id)
		if hushpay.IsConflict(err) {
			return hushpay.Errorf(hushpay.KindGone, "link_used", "the link has been used already")
		}
		return err
	})
}
