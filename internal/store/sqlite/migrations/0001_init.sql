-- hushpay schema, SQLite. Every time is an INTEGER of microseconds since the Unix epoch (UTC).
-- No table holds card data: payments and calls are JSON of the root types (masked fields only),
-- token ciphertext is sealed by the vault, keys and link tokens are stored as hashes.

CREATE TABLE payments (
    tenant     TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    reference  TEXT    NOT NULL,
    call_id    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    data       TEXT    NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
CREATE INDEX payments_newest ON payments (tenant, created_at, id);
CREATE INDEX payments_state ON payments (tenant, state, created_at, id);
CREATE INDEX payments_reference ON payments (tenant, reference);
CREATE INDEX payments_call ON payments (tenant, call_id);
CREATE INDEX payments_expiring ON payments (expires_at)
    WHERE state NOT IN ('succeeded', 'declined', 'failed', 'cancelled', 'expired');
CREATE INDEX payments_retention ON payments (created_at);

CREATE TABLE calls (
    tenant     TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    created_at INTEGER NOT NULL, -- the call's StartedAt
    version    INTEGER NOT NULL,
    data       TEXT    NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
CREATE INDEX calls_newest ON calls (tenant, created_at, id);
CREATE INDEX calls_state ON calls (tenant, state, created_at, id);

-- One row per leg, so that the sip_call_id filter (either leg) uses an index.
CREATE TABLE call_legs (
    tenant      TEXT NOT NULL,
    call_id     TEXT NOT NULL,
    role        TEXT NOT NULL,
    sip_call_id TEXT NOT NULL,
    PRIMARY KEY (tenant, call_id, role, sip_call_id),
    FOREIGN KEY (tenant, call_id) REFERENCES calls (tenant, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX call_legs_sip ON call_legs (tenant, sip_call_id);

CREATE TABLE tokens (
    tenant      TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    brand       TEXT    NOT NULL,
    last4       TEXT    NOT NULL,
    exp_month   INTEGER NOT NULL,
    exp_year    INTEGER NOT NULL,
    reusable    INTEGER NOT NULL,
    key_version INTEGER NOT NULL,
    ciphertext  BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
CREATE INDEX tokens_fingerprint ON tokens (tenant, fingerprint, created_at);
CREATE INDEX tokens_key_version ON tokens (key_version);

CREATE TABLE data_keys (
    version     INTEGER PRIMARY KEY,
    kek_version INTEGER NOT NULL,
    wrapped     BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    tenant       TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    hash         BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
) WITHOUT ROWID;
CREATE INDEX api_keys_tenant ON api_keys (tenant, created_at);

CREATE TABLE links (
    tenant     TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    payment_id TEXT    NOT NULL,
    token_hash BLOB    NOT NULL UNIQUE,
    channel    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;

CREATE TABLE idempotency (
    tenant       TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    request_hash BLOB    NOT NULL,
    status       INTEGER NOT NULL,
    body         BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_created ON idempotency (created_at);

-- The audit trail is append-only: these triggers refuse any change to a written entry.
CREATE TABLE audit_entries (
    tenant      TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    time        INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    object_type TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    details     TEXT    NOT NULL, -- JSON object of strings
    prev_hash   BLOB    NOT NULL,
    hash        BLOB    NOT NULL,
    PRIMARY KEY (tenant, seq)
) WITHOUT ROWID;

CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
