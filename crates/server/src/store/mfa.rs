//! Storage for second factors: one row per user with their TOTP secret (sealed) and preferences. A
//! part of [`Store`] (`Store: MfaStore`).
//!
//! [`Store`]: super::Store

use sqlx::Row;

use super::StoreError;
use super::errors::backend;
use super::sql::SqlStore;

/// A user's second factors.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MfaRecord {
    /// The pool.
    pub pool_id: String,
    /// The user's key.
    pub user_key: String,
    /// The authenticator-app secret, sealed; set by AssociateSoftwareToken.
    pub totp_secret: Option<Vec<u8>>,
    /// True once VerifySoftwareToken accepted a code for the secret.
    pub totp_verified: bool,
    /// `SoftwareTokenMfaSettings.Enabled`.
    pub totp_enabled: bool,
    /// The newest TOTP step a code was accepted for: codes of this step or older are refused.
    pub totp_last_step: i64,
    /// `SMSMfaSettings.Enabled`.
    pub sms_enabled: bool,
    /// `EmailMfaSettings.Enabled`.
    pub email_enabled: bool,
    /// `SOFTWARE_TOKEN_MFA`, `SMS_MFA` or `EMAIL_OTP`.
    pub preferred: Option<String>,
    /// Last change, epoch milliseconds.
    pub modified_ms: i64,
}

/// The MFA part of the store.
#[async_trait::async_trait]
pub trait MfaStore: Send + Sync {
    /// A user's second factors (None: never set up).
    async fn mfa(&self, pool_id: &str, user_key: &str) -> Result<Option<MfaRecord>, StoreError>;
    /// Writes a user's second factors whole.
    async fn put_mfa(&self, record: &MfaRecord) -> Result<(), StoreError>;
    /// Records that a TOTP code of `step` was accepted, if no code of that step or a later one was
    /// before: true when this call is the first. Atomic, so a code works once across servers.
    async fn use_totp_step(&self, pool_id: &str, user_key: &str, step: i64) -> Result<bool, StoreError>;
}

fn flag(b: bool) -> i64 {
    i64::from(b)
}

#[async_trait::async_trait]
impl MfaStore for SqlStore {
    async fn mfa(&self, pool_id: &str, user_key: &str) -> Result<Option<MfaRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT totp_secret, totp_verified, totp_enabled, totp_last_step, sms_enabled, email_enabled, \
             preferred, modified_ms FROM user_mfa WHERE pool_id = $1 AND username_key = $2",
        )
        .bind(pool_id)
        .bind(user_key)
        .fetch_optional(self.db())
        .await
        .map_err(backend)?;
        let Some(r) = row else { return Ok(None) };
        let int = |name: &str| r.try_get::<i64, _>(name).map_err(backend);
        Ok(Some(MfaRecord {
            pool_id: pool_id.to_owned(),
            user_key: user_key.to_owned(),
            totp_secret: r.try_get("totp_secret").map_err(backend)?,
            totp_verified: int("totp_verified")? != 0,
            totp_enabled: int("totp_enabled")? != 0,
            totp_last_step: int("totp_last_step")?,
            sms_enabled: int("sms_enabled")? != 0,
            email_enabled: int("email_enabled")? != 0,
            preferred: r.try_get("preferred").map_err(backend)?,
            modified_ms: int("modified_ms")?,
        }))
    }

    async fn put_mfa(&self, m: &MfaRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO user_mfa (pool_id, username_key, totp_secret, totp_verified, totp_enabled, totp_last_step, \
             sms_enabled, email_enabled, preferred, modified_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (pool_id, username_key) DO UPDATE SET totp_secret = $3, totp_verified = $4, \
             totp_enabled = $5, totp_last_step = $6, sms_enabled = $7, email_enabled = $8, preferred = $9, \
             modified_ms = $10",
        )
        .bind(&m.pool_id)
        .bind(&m.user_key)
        .bind(m.totp_secret.clone())
        .bind(flag(m.totp_verified))
        .bind(flag(m.totp_enabled))
        .bind(m.totp_last_step)
        .bind(flag(m.sms_enabled))
        .bind(flag(m.email_enabled))
        .bind(m.preferred.clone())
        .bind(m.modified_ms)
        .execute(self.db())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn use_totp_step(&self, pool_id: &str, user_key: &str, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE user_mfa SET totp_last_step = $3 WHERE pool_id = $1 AND username_key = $2 AND totp_last_step < $3",
        )
        .bind(pool_id)
        .bind(user_key)
        .bind(step)
        .execute(self.db())
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }
}
