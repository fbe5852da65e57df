-- Passkeys: each user's WebAuthn credentials (public keys only; nothing here is secret), and the
-- registration a user has started (StartWebAuthnRegistration) and not yet completed: one per user,
-- taken once by CompleteWebAuthnRegistration.
CREATE TABLE webauthn_credentials (
    pool_id TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    username_key TEXT NOT NULL,
    public_key BYTEA NOT NULL,
    algorithm BIGINT NOT NULL,
    sign_count BIGINT NOT NULL,
    backup_eligible BIGINT NOT NULL,
    backup_state BIGINT NOT NULL,
    transports TEXT NOT NULL,
    attachment TEXT,
    friendly_name TEXT,
    relying_party_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    last_used_ms BIGINT,
    PRIMARY KEY (pool_id, credential_id),
    FOREIGN KEY (pool_id, username_key) REFERENCES users (pool_id, username_key) ON DELETE CASCADE
);
CREATE INDEX webauthn_credentials_by_user ON webauthn_credentials (pool_id, username_key);

CREATE TABLE webauthn_registrations (
    pool_id TEXT NOT NULL,
    username_key TEXT NOT NULL,
    challenge TEXT NOT NULL,
    relying_party_id TEXT NOT NULL,
    expires_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, username_key),
    FOREIGN KEY (pool_id, username_key) REFERENCES users (pool_id, username_key) ON DELETE CASCADE
);
