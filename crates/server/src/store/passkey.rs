//! Storage for passkeys: users' WebAuthn credentials and their started registrations. A part of
//! [`Store`] (`Store: PasskeyStore`).
//!
//! [`Store`]: super::Store

use sqlx::Row;
use sqlx::any::AnyRow;

use super::StoreError;
use super::Taken;
use super::errors::{backend, conflict};
use super::sql::SqlStore;

/// A registered WebAuthn credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRecord {
    /// The pool.
    pub pool_id: String,
    /// The credential id, base64url.
    pub id: String,
    /// Its owner's key.
    pub user_key: String,
    /// The COSE_Key.
    pub public_key: Vec<u8>,
    /// The COSE algorithm.
    pub algorithm: i64,
    /// The last signature counter seen.
    pub sign_count: i64,
    /// BE at registration.
    pub backup_eligible: bool,
    /// BS as last seen.
    pub backup_state: bool,
    /// Transports the browser reported.
    pub transports: Vec<String>,
    /// `platform` / `cross-platform`.
    pub attachment: Option<String>,
    /// A name for lists.
    pub friendly_name: Option<String>,
    /// The RP ID it was made for.
    pub relying_party_id: String,
    /// Registration time, epoch milliseconds.
    pub created_ms: i64,
    /// Last sign-in with it.
    pub last_used_ms: Option<i64>,
}

/// A registration started and not yet completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRecord {
    /// The pool.
    pub pool_id: String,
    /// The user.
    pub user_key: String,
    /// The challenge, base64url.
    pub challenge: String,
    /// The RP ID the options named.
    pub relying_party_id: String,
    /// When it stops being accepted, epoch milliseconds.
    pub expires_ms: i64,
}

/// The passkey part of the store.
#[async_trait::async_trait]
pub trait PasskeyStore: Send + Sync {
    /// Adds a credential; `Conflict(Taken::Credential)` when its id is registered in the pool already.
    async fn insert_credential(&self, credential: &CredentialRecord) -> Result<(), StoreError>;
    /// A credential by id.
    async fn credential(&self, pool_id: &str, id: &str) -> Result<Option<CredentialRecord>, StoreError>;
    /// A user's credentials, oldest first.
    async fn credentials_of(
        &self,
        pool_id: &str,
        user_key: &str,
    ) -> Result<Vec<CredentialRecord>, StoreError>;
    /// Deletes a user's credential: false when they have none of that id.
    async fn delete_credential(&self, pool_id: &str, user_key: &str, id: &str) -> Result<bool, StoreError>;
    /// Records a sign-in: sets the counter to `new_count` and the backup state, only if the counter
    /// is still `old_count` (so of two concurrent sign-ins with one assertion, one wins).
    async fn use_credential(
        &self,
        pool_id: &str,
        id: &str,
        old_count: i64,
        new_count: i64,
        backup_state: bool,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Starts a registration, replacing one the user had started.
    async fn put_registration(&self, registration: &RegistrationRecord) -> Result<(), StoreError>;
    /// Takes the user's started registration away (once: a second call finds nothing).
    async fn take_registration(
        &self,
        pool_id: &str,
        user_key: &str,
    ) -> Result<Option<RegistrationRecord>, StoreError>;
}

fn from_row(row: &AnyRow) -> Result<CredentialRecord, StoreError> {
    let int = |name: &str| row.try_get::<i64, _>(name).map_err(backend);
    let transports: String = row.try_get("transports").map_err(backend)?;
    Ok(CredentialRecord {
        pool_id: row.try_get("pool_id").map_err(backend)?,
        id: row.try_get("credential_id").map_err(backend)?,
        user_key: row.try_get("username_key").map_err(backend)?,
        public_key: row.try_get("public_key").map_err(backend)?,
        algorithm: int("algorithm")?,
        sign_count: int("sign_count")?,
        backup_eligible: int("backup_eligible")? != 0,
        backup_state: int("backup_state")? != 0,
        transports: serde_json::from_str(&transports).map_err(|e| StoreError::Backend(e.to_string()))?,
        attachment: row.try_get("attachment").map_err(backend)?,
        friendly_name: row.try_get("friendly_name").map_err(backend)?,
        relying_party_id: row.try_get("relying_party_id").map_err(backend)?,
        created_ms: int("created_ms")?,
        last_used_ms: row.try_get("last_used_ms").map_err(backend)?,
    })
}

const COLUMNS: &str = "pool_id, credential_id, username_key, public_key, algorithm, sign_count, backup_eligible, \
                       backup_state, transports, attachment, friendly_name, relying_party_id, created_ms, last_used_ms";

#[async_trait::async_trait]
impl PasskeyStore for SqlStore {
    async fn insert_credential(&self, c: &CredentialRecord) -> Result<(), StoreError> {
        let transports =
            serde_json::to_string(&c.transports).map_err(|e| StoreError::Backend(e.to_string()))?;
        sqlx::query(&format!(
            "INSERT INTO webauthn_credentials ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(&c.pool_id)
        .bind(&c.id)
        .bind(&c.user_key)
        .bind(c.public_key.clone())
        .bind(c.algorithm)
        .bind(c.sign_count)
        .bind(i64::from(c.backup_eligible))
        .bind(i64::from(c.backup_state))
        .bind(transports)
        .bind(c.attachment.clone())
        .bind(c.friendly_name.clone())
        .bind(&c.relying_party_id)
        .bind(c.created_ms)
        .bind(c.last_used_ms)
        .execute(self.db())
        .await
        .map_err(conflict(Taken::Credential))?;
        Ok(())
    }

    async fn credential(&self, pool_id: &str, id: &str) -> Result<Option<CredentialRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webauthn_credentials WHERE pool_id = $1 AND credential_id = $2"
        ))
        .bind(pool_id)
        .bind(id)
        .fetch_optional(self.db())
        .await
        .map_err(backend)?;
        row.as_ref().map(from_row).transpose()
    }

    async fn credentials_of(
        &self,
        pool_id: &str,
        user_key: &str,
    ) -> Result<Vec<CredentialRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webauthn_credentials WHERE pool_id = $1 AND username_key = $2 \
             ORDER BY created_ms, credential_id"
        ))
        .bind(pool_id)
        .bind(user_key)
        .fetch_all(self.db())
        .await
        .map_err(backend)?;
        rows.iter().map(from_row).collect()
    }

    async fn delete_credential(&self, pool_id: &str, user_key: &str, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "DELETE FROM webauthn_credentials WHERE pool_id = $1 AND username_key = $2 AND credential_id = $3",
        )
        .bind(pool_id)
        .bind(user_key)
        .bind(id)
        .execute(self.db())
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn use_credential(
        &self,
        pool_id: &str,
        id: &str,
        old_count: i64,
        new_count: i64,
        backup_state: bool,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE webauthn_credentials SET sign_count = $3, backup_state = $4, last_used_ms = $5 \
             WHERE pool_id = $1 AND credential_id = $2 AND sign_count = $6",
        )
        .bind(pool_id)
        .bind(id)
        .bind(new_count)
        .bind(i64::from(backup_state))
        .bind(now_ms)
        .bind(old_count)
        .execute(self.db())
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn put_registration(&self, r: &RegistrationRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO webauthn_registrations (pool_id, username_key, challenge, relying_party_id, expires_ms) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (pool_id, username_key) DO UPDATE SET challenge = $3, \
             relying_party_id = $4, expires_ms = $5",
        )
        .bind(&r.pool_id)
        .bind(&r.user_key)
        .bind(&r.challenge)
        .bind(&r.relying_party_id)
        .bind(r.expires_ms)
        .execute(self.db())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn take_registration(
        &self,
        pool_id: &str,
        user_key: &str,
    ) -> Result<Option<RegistrationRecord>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM webauthn_registrations WHERE pool_id = $1 AND username_key = $2 \
             RETURNING challenge, relying_party_id, expires_ms",
        )
        .bind(pool_id)
        .bind(user_key)
        .fetch_optional(self.db())
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(RegistrationRecord {
            pool_id: pool_id.to_owned(),
            user_key: user_key.to_owned(),
            challenge: row.try_get("challenge").map_err(backend)?,
            relying_party_id: row.try_get("relying_party_id").map_err(backend)?,
            expires_ms: row.try_get("expires_ms").map_err(backend)?,
        }))
    }
}
