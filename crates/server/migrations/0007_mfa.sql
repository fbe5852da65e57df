-- Second factors: a user's authenticator-app (TOTP) secret, sealed, and their MFA preferences. The
-- last step a TOTP code was accepted for is kept so that no code works twice, across servers.
CREATE TABLE user_mfa (
    pool_id TEXT NOT NULL,
    username_key TEXT NOT NULL,
    totp_secret BYTEA,
    totp_verified BIGINT NOT NULL,
    totp_enabled BIGINT NOT NULL,
    totp_last_step BIGINT NOT NULL,
    sms_enabled BIGINT NOT NULL,
    email_enabled BIGINT NOT NULL,
    preferred TEXT,
    modified_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, username_key),
    FOREIGN KEY (pool_id, username_key) REFERENCES users (pool_id, username_key) ON DELETE CASCADE
);
