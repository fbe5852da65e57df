-- Signing keys of each pool (the private half sealed), refresh tokens (stored as hashes), and the
-- challenges already answered (so a SECRET_BLOCK or Session works once).
CREATE TABLE signing_keys (
    pool_id TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    kid TEXT NOT NULL,
    private_key BYTEA NOT NULL,
    public_jwk TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, kid)
);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    username_key TEXT NOT NULL,
    origin_jti TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    revoked_ms BIGINT,
    FOREIGN KEY (pool_id, username_key) REFERENCES users (pool_id, username_key) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (pool_id, username_key);
CREATE INDEX refresh_tokens_by_origin ON refresh_tokens (origin_jti);

CREATE TABLE used_challenges (
    id TEXT PRIMARY KEY,
    expires_ms BIGINT NOT NULL
);
