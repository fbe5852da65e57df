-- Refresh-token rotation (when a token was replaced by a newer one) and the per-user count of failed
-- sign-ins behind the growing lockout.
ALTER TABLE refresh_tokens ADD COLUMN rotated_ms BIGINT;

CREATE TABLE sign_in_failures (
    pool_id TEXT NOT NULL,
    username_key TEXT NOT NULL,
    failures BIGINT NOT NULL,
    locked_until_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, username_key)
);
