-- Attribute values may be 2,048 characters of any script, more than a PostgreSQL btree index row can
-- hold (2,704 bytes). The alias and ListUsers-filter indexes now key on `value_key`: '=' and the value
-- when it is at most 512 bytes, '#' and the hex SHA-256 of the value otherwise (see
-- store::rows::value_key). Rows copied here get the '=' form; the store re-keys the few long ones
-- when it opens the database.

CREATE TABLE user_aliases_v2 (
    pool_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    value_key TEXT NOT NULL,
    username_key TEXT NOT NULL,
    PRIMARY KEY (pool_id, kind, value_key),
    FOREIGN KEY (pool_id, username_key) REFERENCES users (pool_id, username_key) ON DELETE CASCADE
);
INSERT INTO user_aliases_v2 (pool_id, kind, value, value_key, username_key)
    SELECT pool_id, kind, value, '=' || value, username_key FROM user_aliases;
DROP TABLE user_aliases;
ALTER TABLE user_aliases_v2 RENAME TO user_aliases;
CREATE INDEX user_aliases_by_user ON user_aliases (pool_id, username_key);

CREATE TABLE user_index_v2 (
    pool_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    value_key TEXT NOT NULL,
    username_key TEXT NOT NULL,
    PRIMARY KEY (pool_id, name, value_key, username_key),
    FOREIGN KEY (pool_id, username_key) REFERENCES users (pool_id, username_key) ON DELETE CASCADE
);
INSERT INTO user_index_v2 (pool_id, name, value, value_key, username_key)
    SELECT pool_id, name, value, '=' || value, username_key FROM user_index;
DROP TABLE user_index;
ALTER TABLE user_index_v2 RENAME TO user_index;
CREATE INDEX user_index_by_user ON user_index (pool_id, username_key);
