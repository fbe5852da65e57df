-- One schema for SQLite and PostgreSQL: TEXT, BIGINT (times in epoch milliseconds) and BYTEA (sealed
-- secrets; SQLite keeps blobs as they are whatever the declared type). Documents hold the settings
-- Cognito echoes back; the columns beside them are what queries and constraints need.

CREATE TABLE user_pools (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL
);

CREATE TABLE user_pool_clients (
    id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret BYTEA,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL
);
CREATE INDEX user_pool_clients_by_pool ON user_pool_clients (pool_id, id);

CREATE TABLE users (
    pool_id TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    username_key TEXT NOT NULL,
    username TEXT NOT NULL,
    sub TEXT NOT NULL,
    status TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    attributes TEXT NOT NULL,
    verifier BYTEA,
    created_ms BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, username_key)
);
CREATE UNIQUE INDEX users_by_sub ON users (pool_id, sub);

-- Sign-in aliases (email, phone number, preferred username) that must be unique in a pool.
CREATE TABLE user_aliases (
    pool_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    username_key TEXT NOT NULL,
    PRIMARY KEY (pool_id, kind, value),
    FOREIGN KEY (pool_id, username_key) REFERENCES users (pool_id, username_key) ON DELETE CASCADE
);

-- The attributes ListUsers can filter on, one row each.
CREATE TABLE user_index (
    pool_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    username_key TEXT NOT NULL,
    PRIMARY KEY (pool_id, name, value, username_key),
    FOREIGN KEY (pool_id, username_key) REFERENCES users (pool_id, username_key) ON DELETE CASCADE
);

CREATE TABLE user_groups (
    pool_id TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    precedence BIGINT,
    role_arn TEXT,
    created_ms BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
    pool_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    username_key TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, username_key),
    FOREIGN KEY (pool_id, group_name) REFERENCES user_groups (pool_id, name) ON DELETE CASCADE,
    FOREIGN KEY (pool_id, username_key) REFERENCES users (pool_id, username_key) ON DELETE CASCADE
);
CREATE INDEX group_members_by_user ON group_members (pool_id, username_key);

-- The durable outbox of the Messenger: codes and temporary passwords waiting for (or after) delivery.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    destination TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX outbox_by_pool ON outbox (pool_id, created_ms);
