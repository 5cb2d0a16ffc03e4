-- hushpay schema, PostgreSQL. Every table lives in the connection's current schema (search_path).
-- No table holds card data: payments and calls are JSON of the root types (masked fields only),
-- token ciphertext is sealed by the vault, keys and link tokens are stored as hashes.

CREATE TABLE payments (
    tenant     text        NOT NULL,
    id         text        NOT NULL,
    state      text        NOT NULL,
    reference  text        NOT NULL,
    call_id    text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    version    bigint      NOT NULL,
    data       jsonb       NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX payments_newest ON payments (tenant, created_at, id);
CREATE INDEX payments_state ON payments (tenant, state, created_at, id);
CREATE INDEX payments_reference ON payments (tenant, reference);
CREATE INDEX payments_call ON payments (tenant, call_id);
CREATE INDEX payments_expiring ON payments (expires_at)
    WHERE state NOT IN ('succeeded', 'declined', 'failed', 'cancelled', 'expired');
CREATE INDEX payments_retention ON payments (created_at);

CREATE TABLE calls (
    tenant     text        NOT NULL,
    id         text        NOT NULL,
    state      text        NOT NULL,
    created_at timestamptz NOT NULL, -- the call's StartedAt
    version    bigint      NOT NULL,
    data       jsonb       NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX calls_newest ON calls (tenant, created_at, id);
CREATE INDEX calls_state ON calls (tenant, state, created_at, id);

-- One row per leg, so that the sip_call_id filter (either leg) uses an index.
CREATE TABLE call_legs (
    tenant      text NOT NULL,
    call_id     text NOT NULL,
    role        text NOT NULL,
    sip_call_id text NOT NULL,
    PRIMARY KEY (tenant, call_id, role, sip_call_id),
    FOREIGN KEY (tenant, call_id) REFERENCES calls (tenant, id) ON DELETE CASCADE
);
CREATE INDEX call_legs_sip ON call_legs (tenant, sip_call_id);

CREATE TABLE tokens (
    tenant      text        NOT NULL,
    id          text        NOT NULL,
    kind        text        NOT NULL,
    fingerprint text        NOT NULL,
    brand       text        NOT NULL,
    last4       text        NOT NULL,
    exp_month   integer     NOT NULL,
    exp_year    integer     NOT NULL,
    reusable    boolean     NOT NULL,
    key_version integer     NOT NULL,
    ciphertext  bytea       NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX tokens_fingerprint ON tokens (tenant, fingerprint, created_at);
CREATE INDEX tokens_key_version ON tokens (key_version);

CREATE TABLE data_keys (
    version     integer PRIMARY KEY,
    kek_version integer     NOT NULL,
    wrapped     bytea       NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE api_keys (
    id           text PRIMARY KEY,
    tenant       text        NOT NULL,
    role         text        NOT NULL,
    name         text        NOT NULL,
    hash         bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant, created_at);

CREATE TABLE links (
    tenant     text        NOT NULL,
    id         text        NOT NULL,
    payment_id text        NOT NULL,
    token_hash bytea       NOT NULL UNIQUE,
    channel    text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE idempotency (
    tenant       text        NOT NULL,
    key          text        NOT NULL,
    request_hash bytea       NOT NULL,
    status       integer     NOT NULL,
    body         bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant, key)
);
CREATE INDEX idempotency_created ON idempotency (created_at);

CREATE TABLE audit_entries (
    tenant      text        NOT NULL,
    seq         bigint      NOT NULL,
    time        timestamptz NOT NULL,
    actor       text        NOT NULL,
    action      text        NOT NULL,
    object_type text        NOT NULL,
    object_id   text        NOT NULL,
    details     jsonb       NOT NULL, -- object of strings
    prev_hash   bytea       NOT NULL,
    hash        bytea       NOT NULL,
    PRIMARY KEY (tenant, seq)
);

-- The audit trail is append-only: these triggers refuse any change to a written entry. Only the
-- table's owner or a superuser can switch them off (ALTER TABLE … DISABLE TRIGGER), and
-- audit.Verify still notices what was changed while they were off.
CREATE FUNCTION audit_entries_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
