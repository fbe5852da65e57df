//! Storage for sign-in: signing keys, refresh tokens, answered challenges. A part of [`Store`]
//! (`Store: AuthStore`), kept apart because it changes with the auth flows, not with the admin API.
//!
//! [`Store`]: super::Store

use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::StoreError;
use super::errors::backend;
use super::sql::SqlStore;

/// A pool's signing key.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyRecord {
    /// The pool.
    pub pool_id: String,
    /// The key id (`kid`).
    pub kid: String,
    /// The private key (PKCS#8 DER), sealed.
    pub private_key: Vec<u8>,
    /// The public key as a JWK.
    pub public_jwk: Value,
    /// When it was made, epoch milliseconds.
    pub created_ms: i64,
}

/// A refresh token, known by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// The pool.
    pub pool_id: String,
    /// The app client it was issued to.
    pub client_id: String,
    /// The user.
    pub user_key: String,
    /// The `jti` of the sign-in that made it, carried by every token refreshed from it.
    pub origin_jti: String,
    /// When the user signed in, epoch seconds.
    pub auth_time: i64,
    /// When it stops working, epoch milliseconds.
    pub expires_ms: i64,
    /// When it was revoked, if it was.
    pub revoked_ms: Option<i64>,
    /// When a newer token replaced it (refresh-token rotation), if one did.
    pub rotated_ms: Option<i64>,
    /// The scopes an OAuth sign-in granted, space-separated; `None` for a sign-in through the JSON API.
    pub scopes: Option<String>,
}

/// The sign-in part of the store.
#[async_trait::async_trait]
pub trait AuthStore: Send + Sync {
    /// A pool's signing keys, newest first.
    async fn signing_keys(&self, pool_id: &str) -> Result<Vec<KeyRecord>, StoreError>;
    /// Adds a signing key.
    async fn insert_signing_key(&self, key: &KeyRecord) -> Result<(), StoreError>;
    /// Adds a refresh token.
    async fn insert_refresh_token(&self, token: &RefreshRecord) -> Result<(), StoreError>;
    /// A refresh token by hash.
    async fn refresh_token(&self, token_hash: &str) -> Result<Option<RefreshRecord>, StoreError>;
    /// Revokes the refresh tokens of one sign-in (`origin_jti`), or all of a user's.
    async fn revoke_refresh_tokens(
        &self,
        pool_id: &str,
        user_key: &str,
        origin_jti: Option<&str>,
        now_ms: i64,
    ) -> Result<u64, StoreError>;
    /// True if the sign-in `origin_jti` was revoked (its access tokens stop working too).
    async fn origin_revoked(&self, origin_jti: &str) -> Result<bool, StoreError>;
    /// Counts a wrong guess of a user's code; returns the new count.
    async fn bump_code_attempts(
        &self,
        pool_id: &str,
        user_key: &str,
        purpose: &str,
    ) -> Result<i64, StoreError>;
    /// Deletes a user's code; false if it was already gone (used by a concurrent request).
    async fn take_code(&self, pool_id: &str, user_key: &str, purpose: &str) -> Result<bool, StoreError>;
    /// Marks a refresh token replaced at `now_ms`; false if it already was.
    async fn mark_rotated(&self, token_hash: &str, now_ms: i64) -> Result<bool, StoreError>;
    /// A user's failed sign-ins so far, and until when they are locked out (epoch ms).
    async fn sign_in_failures(&self, pool_id: &str, user_key: &str) -> Result<(i64, i64), StoreError>;
    /// Counts a failed sign-in and sets the lockout `lock_for(failures)` ms from now; returns the count.
    async fn record_failure(
        &self,
        pool_id: &str,
        user_key: &str,
        now_ms: i64,
        lock_for: fn(i64) -> i64,
    ) -> Result<i64, StoreError>;
    /// Forgets a user's failed sign-ins (after a successful one).
    async fn clear_failures(&self, pool_id: &str, user_key: &str) -> Result<(), StoreError>;
    /// Messages queued for `destination` in `pool_id` since `since_ms` (for the sending limits).
    async fn messages_since(
        &self,
        pool_id: &str,
        destination: &str,
        since_ms: i64,
    ) -> Result<i64, StoreError>;
    /// Marks challenge `id` answered; false if it already was (a replay).
    async fn consume_challenge(&self, id: &str, expires_ms: i64, now_ms: i64) -> Result<bool, StoreError>;
    /// Whether `id` was consumed (a managed login session ended by `/logout`).
    async fn challenge_used(&self, id: &str) -> Result<bool, StoreError>;
}

fn key_from(row: &AnyRow) -> Result<KeyRecord, StoreError> {
    let jwk: String = row.try_get("public_jwk").map_err(backend)?;
    Ok(KeyRecord {
        pool_id: row.try_get("pool_id").map_err(backend)?,
        kid: row.try_get("kid").map_err(backend)?,
        private_key: row.try_get("private_key").map_err(backend)?,
        public_jwk: serde_json::from_str(&jwk).map_err(|e| StoreError::Backend(e.to_string()))?,
        created_ms: row.try_get("created_ms").map_err(backend)?,
    })
}

#[async_trait::async_trait]
impl AuthStore for SqlStore {
    async fn signing_keys(&self, pool_id: &str) -> Result<Vec<KeyRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM signing_keys WHERE pool_id = $1 ORDER BY created_ms DESC, kid")
            .bind(pool_id)
            .fetch_all(self.db())
            .await
            .map_err(backend)?;
        rows.iter().map(key_from).collect()
    }

    async fn insert_signing_key(&self, key: &KeyRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO signing_keys (pool_id, kid, private_key, public_jwk, created_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&key.pool_id)
        .bind(&key.kid)
        .bind(key.private_key.clone())
        .bind(key.public_jwk.to_string())
        .bind(key.created_ms)
        .execute(self.db())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn insert_refresh_token(&self, t: &RefreshRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, pool_id, client_id, username_key, origin_jti, auth_time, \
             expires_ms, revoked_ms, rotated_ms, scopes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&t.token_hash)
        .bind(&t.pool_id)
        .bind(&t.client_id)
        .bind(&t.user_key)
        .bind(&t.origin_jti)
        .bind(t.auth_time)
        .bind(t.expires_ms)
        .bind(t.revoked_ms)
        .bind(t.rotated_ms)
        .bind(&t.scopes)
        .execute(self.db())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn refresh_token(&self, token_hash: &str) -> Result<Option<RefreshRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM refresh_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(self.db())
            .await
            .map_err(backend)?;
        row.map(|r| {
            Ok(RefreshRecord {
                token_hash: r.try_get("token_hash").map_err(backend)?,
                pool_id: r.try_get("pool_id").map_err(backend)?,
                client_id: r.try_get("client_id").map_err(backend)?,
                user_key: r.try_get("username_key").map_err(backend)?,
                origin_jti: r.try_get("origin_jti").map_err(backend)?,
                auth_time: r.try_get("auth_time").map_err(backend)?,
                expires_ms: r.try_get("expires_ms").map_err(backend)?,
                revoked_ms: r.try_get("revoked_ms").map_err(backend)?,
                rotated_ms: r.try_get("rotated_ms").map_err(backend)?,
                scopes: r.try_get("scopes").map_err(backend)?,
            })
        })
        .transpose()
    }

    async fn revoke_refresh_tokens(
        &self,
        pool_id: &str,
        user_key: &str,
        origin_jti: Option<&str>,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE refresh_tokens SET revoked_ms = $4 WHERE pool_id = $1 AND username_key = $2 \
             AND ($3 = '' OR origin_jti = $3) AND revoked_ms IS NULL",
        )
        .bind(pool_id)
        .bind(user_key)
        .bind(origin_jti.unwrap_or(""))
        .bind(now_ms)
        .execute(self.db())
        .await
        .map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn origin_revoked(&self, origin_jti: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM refresh_tokens WHERE origin_jti = $1 AND revoked_ms IS NOT NULL",
        )
        .bind(origin_jti)
        .fetch_one(self.db())
        .await
        .map_err(backend)?;
        Ok(row.try_get::<i64, _>("n").map_err(backend)? > 0)
    }

    async fn bump_code_attempts(
        &self,
        pool_id: &str,
        user_key: &str,
        purpose: &str,
    ) -> Result<i64, StoreError> {
        sqlx::query("UPDATE codes SET attempts = attempts + 1 WHERE pool_id = $1 AND username_key = $2 AND purpose = $3")
            .bind(pool_id)
            .bind(user_key)
            .bind(purpose)
            .execute(self.db())
            .await
            .map_err(backend)?;
        let row = sqlx::query(
            "SELECT attempts FROM codes WHERE pool_id = $1 AND username_key = $2 AND purpose = $3",
        )
        .bind(pool_id)
        .bind(user_key)
        .bind(purpose)
        .fetch_optional(self.db())
        .await
        .map_err(backend)?;
        row.map_or(Ok(0), |r| r.try_get("attempts").map_err(backend))
    }

    async fn take_code(&self, pool_id: &str, user_key: &str, purpose: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM codes WHERE pool_id = $1 AND username_key = $2 AND purpose = $3")
            .bind(pool_id)
            .bind(user_key)
            .bind(purpose)
            .execute(self.db())
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn mark_rotated(&self, token_hash: &str, now_ms: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE refresh_tokens SET rotated_ms = $2 WHERE token_hash = $1 AND rotated_ms IS NULL",
        )
        .bind(token_hash)
        .bind(now_ms)
        .execute(self.db())
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn sign_in_failures(&self, pool_id: &str, user_key: &str) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT failures, locked_until_ms FROM sign_in_failures WHERE pool_id = $1 AND username_key = $2",
        )
        .bind(pool_id)
        .bind(user_key)
        .fetch_optional(self.db())
        .await
        .map_err(backend)?;
        row.map_or(Ok((0, 0)), |r| {
            Ok((r.try_get("failures").map_err(backend)?, r.try_get("locked_until_ms").map_err(backend)?))
        })
    }

    async fn record_failure(
        &self,
        pool_id: &str,
        user_key: &str,
        now_ms: i64,
        lock_for: fn(i64) -> i64,
    ) -> Result<i64, StoreError> {
        // The increment happens in the database, so failures counted by several servers add up.
        sqlx::query(
            "INSERT INTO sign_in_failures (pool_id, username_key, failures, locked_until_ms) VALUES ($1, $2, 1, 0) \
             ON CONFLICT (pool_id, username_key) DO UPDATE SET failures = sign_in_failures.failures + 1",
        )
        .bind(pool_id)
        .bind(user_key)
        .execute(self.db())
        .await
        .map_err(backend)?;
        let (failures, _) = self.sign_in_failures(pool_id, user_key).await?;
        sqlx::query(
            "UPDATE sign_in_failures SET locked_until_ms = $3 WHERE pool_id = $1 AND username_key = $2",
        )
        .bind(pool_id)
        .bind(user_key)
        .bind(now_ms.saturating_add(lock_for(failures)))
        .execute(self.db())
        .await
        .map_err(backend)?;
        Ok(failures)
    }

    async fn clear_failures(&self, pool_id: &str, user_key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE pool_id = $1 AND username_key = $2")
            .bind(pool_id)
            .bind(user_key)
            .execute(self.db())
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn messages_since(
        &self,
        pool_id: &str,
        destination: &str,
        since_ms: i64,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM outbox WHERE pool_id = $1 AND destination = $2 AND created_ms > $3",
        )
        .bind(pool_id)
        .bind(destination)
        .bind(since_ms)
        .fetch_one(self.db())
        .await
        .map_err(backend)?;
        row.try_get("n").map_err(backend)
    }

    async fn consume_challenge(&self, id: &str, expires_ms: i64, now_ms: i64) -> Result<bool, StoreError> {
        sqlx::query("DELETE FROM used_challenges WHERE expires_ms < $1")
            .bind(now_ms)
            .execute(self.db())
            .await
            .map_err(backend)?;
        let inserted = sqlx::query("INSERT INTO used_challenges (id, expires_ms) VALUES ($1, $2)")
            .bind(id)
            .bind(expires_ms)
            .execute(self.db())
            .await;
        match inserted {
            Ok(_) => Ok(true),
            Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => Ok(false),
            Err(e) => Err(backend(e)),
        }
    }

    async fn challenge_used(&self, id: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM used_challenges WHERE id = $1")
            .bind(id)
            .fetch_one(self.db())
            .await
            .map_err(backend)?;
        let n: i64 = row.try_get("n").map_err(backend)?;
        Ok(n > 0)
    }
}
