-- One-time codes sent to users (password reset, sign-up confirmation, attribute verification): the code
-- sealed under the master key, when it expires, and how many wrong guesses it has seen.
CREATE TABLE codes (
    pool_id TEXT NOT NULL,
    username_key TEXT NOT NULL,
    purpose TEXT NOT NULL,
    code BYTEA NOT NULL,
    expires_ms BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    PRIMARY KEY (pool_id, username_key, purpose),
    FOREIGN KEY (pool_id, username_key) REFERENCES users (pool_id, username_key) ON DELETE CASCADE
);
