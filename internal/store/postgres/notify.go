package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// A channel's name on the server is scoped to the connection's schema, so that installations (and
// tests) sharing one database in different schemas never hear each other: the name as given in
// the public schema, name.SCHEMA in another one, or name.md5(SCHEMA) when that would pass the
// server's 63-byte limit on identifiers. channelSQL computes it from $1 on the server, for
// pg_notify and for the LISTEN statements alike.
const channelSQL = `CASE WHEN current_schema() = 'public' THEN $1::text
	WHEN octet_length($1::text || '.' || current_schema()) <= 63 THEN $1::text || '.' || current_schema()
	ELSE $1::text || '.' || md5(current_schema()) END`

// MaxNotifyPayload is the largest payload Notify accepts, in bytes (the server refuses 8000 and
// more).
const MaxNotifyPayload = 7999

// Notify sends payload to every connection listening on channel in this database and schema, this
// node's included. It runs outside any transaction, so listeners get it at once, in the order of
// the Notify calls that returned. The payload must not hold card data: the server may log it.
func (s *Store) Notify(ctx context.Context, channel, payload string) error {
	if len(payload) > MaxNotifyPayload {
		return errors.New("postgres.notify: payload too long")
	}
	_, err := s.pool.Exec(ctx, `SELECT pg_notify(`+channelSQL+`, $2)`, channel, payload)
	return dbError("notify", err)
}

// Listen backoff: the first retry after a lost or refused connection waits listenRetryMin, each
// further one twice as long up to listenRetryMax; a connection that listened resets it.
const (
	listenRetryMin = 100 * time.Millisecond
	listenRetryMax = 5 * time.Second
)

// Listen receives the notifications sent to channels over a connection of its own (outside the
// pool) and calls fn with each one's channel (as given) and payload, one at a time in the order the
// server delivers them, until ctx ends; then it returns.
//
// When the connection is lost it connects again, with a growing pause between attempts, and
// LISTENs anew: notifications sent while it was not listening are lost (NOTIFY is not queued for
// absent listeners). status, when not nil, hears nil each time the connection is listening (first
// and again after each loss) and the error each time it is lost or cannot be opened; the error
// names no payload.
func (s *Store) Listen(ctx context.Context, channels []string, fn func(channel, payload string), status func(error)) {
	if status == nil {
		status = func(error) {}
	}
	wait := listenRetryMin
	for ctx.Err() == nil {
		listened, err := s.listenOnce(ctx, channels, fn, status)
		if ctx.Err() != nil {
			return
		}
		status(dbError("listen", err))
		if listened {
			wait = listenRetryMin
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, listenRetryMax)
	}
}

// listenOnce opens a connection, LISTENs on channels and delivers notifications until the
// connection fails or ctx ends; listened tells whether it got as far as listening.
func (s *Store) listenOnce(ctx context.Context, channels []string, fn func(channel, payload string), status func(error)) (listened bool, err error) {
	cfg := s.pool.Config().ConnConfig
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "hushpay listener"
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	given := make(map[string]string, len(channels)) // server name -> name as given
	for _, ch := range channels {
		var name string
		if err := conn.QueryRow(ctx, `SELECT `+channelSQL, ch).Scan(&name); err != nil {
			return false, err
		}
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{name}.Sanitize()); err != nil {
			return false, err
		}
		given[name] = ch
	}
	status(nil)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, err
		}
		if ch, ok := given[n.Channel]; ok {
			fn(ch, n.Payload)
		}
	}
}
