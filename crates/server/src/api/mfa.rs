//! Second factors: the pool's MFA configuration (SetUserPoolMfaConfig, GetUserPoolMfaConfig),
//! authenticator apps (AssociateSoftwareToken, VerifySoftwareToken) and each user's preferences
//! (SetUserMFAPreference, AdminSetUserMFAPreference). The sign-in challenges live in `auth`.

use cognate_proto::Exception;
use serde::Deserialize;
use serde_json::{Value, json};

use super::session::{SignedIn, signed_in};
use super::wire::Request;
use super::{CognitoError, Services, internal};
use crate::domain::pools::{PoolSettings, load as load_pool, save as save_pool};
use crate::domain::users::resolve;
use crate::services::now_ms;
use crate::store::{MfaRecord, UserRecord};
use crate::totp;

/// The sealing context of TOTP secrets.
const TOTP_CONTEXT: &str = "totp-secret";
/// Bytes of a TOTP secret (160 bits, RFC 4226's recommendation).
const SECRET_BYTES: usize = 20;

fn config_json(settings: &PoolSettings) -> Value {
    let mut out = json!({
        "MfaConfiguration": settings.mfa_configuration,
        "SoftwareTokenMfaConfiguration": { "Enabled": settings.mfa.software_token },
    });
    if let Some(sms) = &settings.mfa.sms {
        out["SmsMfaConfiguration"] = sms.clone();
    }
    if let Some(email) = &settings.mfa.email {
        out["EmailMfaConfiguration"] = email.clone();
    }
    if let Some(webauthn) = &settings.webauthn {
        out["WebAuthnConfiguration"] = webauthn.json();
    }
    out
}

/// SetUserPoolMfaConfig.
pub async fn set_pool_config(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (mut pool, mut settings) = load_pool(svc, &req.string("UserPoolId")?).await?;
    if let Some(software) = req.get("SoftwareTokenMfaConfiguration") {
        settings.mfa.software_token = software.get("Enabled").and_then(Value::as_bool).unwrap_or(false);
    }
    if let Some(sms) = req.get("SmsMfaConfiguration") {
        settings.mfa.sms = Some(sms.clone());
    }
    if let Some(email) = req.get("EmailMfaConfiguration") {
        settings.mfa.email = Some(email.clone());
    }
    if let Some(webauthn) = req.get("WebAuthnConfiguration") {
        settings.webauthn =
            Some(crate::domain::factors::WebAuthnSettings::parse(webauthn, settings.webauthn.as_ref())?);
    }
    if let Some(mode) = req.opt_string("MfaConfiguration")? {
        if !["OFF", "ON", "OPTIONAL"].contains(&mode.as_str()) {
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                "[MfaConfiguration] must be one of 'ON', 'OFF', or 'OPTIONAL'.",
            ));
        }
        settings.mfa_configuration = mode;
    }
    if settings.mfa_configuration != "OFF" {
        let any_factor =
            settings.mfa.software_token || settings.mfa.sms.is_some() || settings.mfa.email.is_some();
        if !any_factor {
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                "At least one of [SmsMfaConfiguration] or [SoftwareTokenMfaConfiguration] must be provided.",
            ));
        }
        // Cognito's own wording, which names the wrong member.
        if settings.mfa.sms.as_ref().is_some_and(|sms| sms.get("SmsConfiguration").is_none()) {
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                "[SmsConfiguration] is a required member of [SoftwareTokenMfaConfiguration].",
            ));
        }
    }
    save_pool(svc, &mut pool, &settings).await?;
    Ok(config_json(&settings))
}

/// GetUserPoolMfaConfig.
pub async fn get_pool_config(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (_, settings) = load_pool(svc, &req.string("UserPoolId")?).await?;
    Ok(config_json(&settings))
}

/// A user's MFA record, or an empty one.
pub(super) async fn record(svc: &Services, user: &UserRecord) -> Result<MfaRecord, CognitoError> {
    Ok(svc.store.mfa(&user.pool_id, &user.key).await.map_err(internal)?.unwrap_or_else(|| MfaRecord {
        pool_id: user.pool_id.clone(),
        user_key: user.key.clone(),
        ..MfaRecord::default()
    }))
}

/// `UserMFASettingList` and `PreferredMfaSetting` for GetUser and AdminGetUser.
pub(super) async fn user_settings(
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
pub(super) async fn associate(svc: &Services, user: &UserRecord) -> Result<String, CognitoError> {
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
pub(super) enum CodeCheck {
    /// Right, and now used up.
    Accepted,
    /// Not a code of the drift window.
    Wrong,
    /// A code of the window, but of a step no newer than one accepted before (a replay).
    Used,
}

/// Checks a TOTP code against the user's secret: the step must be in the drift window and newer
/// than every step accepted before (no code works twice).
pub(super) async fn check_code(svc: &Services, m: &MfaRecord, code: &str) -> Result<CodeCheck, CognitoError> {
    let Some(sealed) = &m.totp_secret else { return Ok(CodeCheck::Wrong) };
    let secret = svc.sealer.open(TOTP_CONTEXT, sealed).map_err(|_| {
        internal(crate::store::StoreError::Backend("a TOTP secret does not open with the master key".into()))
    })?;
    let Some(step) = totp::matching_step(&secret, code, now_ms() / 1000) else { return Ok(CodeCheck::Wrong) };
    let fresh = svc.store.use_totp_step(&m.pool_id, &m.user_key, step).await.map_err(internal)?;
    Ok(if fresh { CodeCheck::Accepted } else { CodeCheck::Used })
}

/// AssociateSoftwareToken with an access token. (With a Session, during MFA_SETUP, `auth` answers.)
pub async fn associate_software_token(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    if req.get("AccessToken").is_none() {
        return super::mfa_challenge::associate_in_setup(svc, req).await;
    }
    let SignedIn { user, .. } = signed_in(svc, &req).await?;
    Ok(json!({ "SecretCode": associate(svc, &user).await? }))
}

/// VerifySoftwareToken with an access token. (With a Session, during MFA_SETUP, `auth` answers.)
pub async fn verify_software_token(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    if req.get("AccessToken").is_none() {
        return super::mfa_challenge::verify_in_setup(svc, req).await;
    }
    let SignedIn { user, .. } = signed_in(svc, &req).await?;
    verify(svc, &user, &req.string("UserCode")?).await?;
    Ok(json!({ "Status": "SUCCESS" }))
}

/// Marks the user's pending secret verified when `code` is right for it.
pub(super) async fn verify(svc: &Services, user: &UserRecord, code: &str) -> Result<MfaRecord, CognitoError> {
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

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct FactorSettings {
    enabled: Option<bool>,
    preferred_mfa: Option<bool>,
}

async fn set_preference(
    svc: &Services,
    settings: &PoolSettings,
    user: &UserRecord,
    req: &Request,
) -> Result<(), CognitoError> {
    let mut m = record(svc, user).await?;
    let factors: [(&str, &str); 3] = [
        ("SoftwareTokenMfaSettings", "SOFTWARE_TOKEN_MFA"),
        ("SMSMfaSettings", "SMS_MFA"),
        ("EmailMfaSettings", "EMAIL_OTP"),
    ];
    for (member, name) in factors {
        let Some(f) = req.opt::<FactorSettings>(member)? else { continue };
        let enabled = f.enabled.unwrap_or(false);
        match name {
            "SOFTWARE_TOKEN_MFA" => {
                if enabled && !(m.totp_verified && settings.mfa.software_token) {
                    return Err(CognitoError::new(
                        Exception::InvalidParameter,
                        "User has not verified software token mfa",
                    ));
                }
                m.totp_enabled = enabled;
            }
            "SMS_MFA" | "EMAIL_OTP" => {
                let attribute = if name == "SMS_MFA" { "phone_number" } else { "email" };
                if enabled && user.attributes.get(attribute).is_none_or(String::is_empty) {
                    return Err(CognitoError::new(
                        Exception::InvalidParameter,
                        format!("The user has no {attribute} to send codes to."),
                    ));
                }
                if name == "SMS_MFA" {
                    m.sms_enabled = enabled;
                } else {
                    m.email_enabled = enabled;
                }
            }
            _ => {}
        }
        if f.preferred_mfa == Some(true) && enabled {
            m.preferred = Some(name.to_owned());
        } else if m.preferred.as_deref() == Some(name) && (!enabled || f.preferred_mfa == Some(false)) {
            m.preferred = None;
        }
    }
    m.modified_ms = now_ms();
    svc.store.put_mfa(&m).await.map_err(internal)
}

/// SetUserMFAPreference.
pub async fn set_user_preference(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let SignedIn { settings, user, .. } = signed_in(svc, &req).await?;
    set_preference(svc, &settings, &user, &req).await?;
    Ok(json!({}))
}

/// AdminSetUserMFAPreference.
pub async fn admin_set_user_preference(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, settings) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let user = resolve(svc, &pool, &settings, &req.string("Username")?).await?;
    set_preference(svc, &settings, &user, &req).await?;
    Ok(json!({}))
}
