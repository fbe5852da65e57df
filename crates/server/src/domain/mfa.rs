//! A user's second factors: the authenticator app's sealed secret and the codes it makes, and which
//! factors the user has and prefers.

use cognate_proto::{CognitoError, Exception};

use crate::services::{Services, internal, now_ms};
use crate::store::{MfaRecord, UserRecord};
use crate::totp;

/// The sealing context of TOTP secrets.
const TOTP_CONTEXT: &str = "totp-secret";

/// Bytes of a TOTP secret (160 bits, RFC 4226's recommendation).
const SECRET_BYTES: usize = 20;

/// A user's MFA record, or an empty one.
pub async fn record(svc: &Services, user: &UserRecord) -> Result<MfaRecord, CognitoError> {
    Ok(svc.store.mfa(&user.pool_id, &user.key).await.map_err(internal)?.unwrap_or_else(|| MfaRecord {
        pool_id: user.pool_id.clone(),
        user_key: user.key.clone(),
        ..MfaRecord::default()
    }))
}

/// `UserMFASettingList` and `PreferredMfaSetting` for GetUser and AdminGetUser.
pub async fn user_settings(
    svc: &Services,
    user: &UserRecord,
) -> Result<(Vec<&'static str>, Option<String>), CognitoError> {
    let m = record(svc, user).await?;
    let mut list = Vec::new();
    if m.totp_enabled && m.totp_verified {
        list.push("SOFTWARE_TOKEN_MFA");
    }
    if m.sms_enabled {
        list.push("SMS_MFA");
    }
    if m.email_enabled {
        list.push("EMAIL_OTP");
    }
    Ok((list, m.preferred.filter(|p| !p.is_empty())))
}

/// Makes and stores a new, not yet verified, authenticator secret; returns it in base32.
pub async fn associate(svc: &Services, user: &UserRecord) -> Result<String, CognitoError> {
    let mut secret = [0u8; SECRET_BYTES];
    crate::ids::fill(&mut secret);
    let mut m = record(svc, user).await?;
    m.totp_secret = Some(svc.sealer.seal(TOTP_CONTEXT, &secret));
    // A new secret replaces the old one: it must be verified (and enabled) again.
    m.totp_verified = false;
    m.totp_enabled = false;
    if m.preferred.as_deref() == Some("SOFTWARE_TOKEN_MFA") {
        m.preferred = None;
    }
    m.modified_ms = now_ms();
    svc.store.put_mfa(&m).await.map_err(internal)?;
    Ok(totp::base32(&secret))
}

/// What a one-time code turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right, and now used up.
    Accepted,
    /// Not a code of the drift window.
    Wrong,
    /// A code of the window, but of a step no newer than one accepted before (a replay).
    Used,
}

/// Checks a TOTP code against the user's secret: the step must be in the drift window and newer
/// than every step accepted before (no code works twice).
pub async fn check_code(svc: &Services, m: &MfaRecord, code: &str) -> Result<CodeCheck, CognitoError> {
    let Some(sealed) = &m.totp_secret else { return Ok(CodeCheck::Wrong) };
    let secret = svc.sealer.open(TOTP_CONTEXT, sealed).map_err(|_| {
        internal(crate::store::StoreError::Backend("a TOTP secret does not open with the master key".into()))
    })?;
    let Some(step) = totp::matching_step(&secret, code, now_ms() / 1000) else { return Ok(CodeCheck::Wrong) };
    let fresh = svc.store.use_totp_step(&m.pool_id, &m.user_key, step).await.map_err(internal)?;
    Ok(if fresh { CodeCheck::Accepted } else { CodeCheck::Used })
}

/// Marks the user's pending secret verified when `code` is right for it.
pub async fn verify(svc: &Services, user: &UserRecord, code: &str) -> Result<MfaRecord, CognitoError> {
    let mut m = record(svc, user).await?;
    if m.totp_secret.is_none() {
        return Err(CognitoError::new(Exception::SoftwareTokenMFANotFound, "Software token TOTP not found."));
    }
    if check_code(svc, &m, code).await? != CodeCheck::Accepted {
        return Err(CognitoError::new(Exception::EnableSoftwareTokenMFA, "Code mismatch"));
    }
    // check_code moved the last accepted step in the store; keep it.
    m.totp_last_step =
        svc.store.mfa(&m.pool_id, &m.user_key).await.map_err(internal)?.map_or(0, |r| r.totp_last_step);
    m.totp_verified = true;
    m.modified_ms = now_ms();
    svc.store.put_mfa(&m).await.map_err(internal)?;
    Ok(m)
}
