-- OAuth 2.0: the pools' domains (a domain name is unique on the server, as a prefix is per region in
-- Cognito), the pools' named documents (resource servers, managed login branding, classic UI
-- customization; one domain per pool), and the scopes an OAuth sign-in granted, kept with its refresh token so a refresh
-- grants the same ones (NULL: a sign-in through the JSON API, scope aws.cognito.signin.user.admin).
CREATE TABLE user_pool_domains (
    domain TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX user_pool_domains_by_pool ON user_pool_domains (pool_id);

CREATE TABLE pool_documents (
    pool_id TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, kind, name)
);

ALTER TABLE refresh_tokens ADD COLUMN scopes TEXT;
