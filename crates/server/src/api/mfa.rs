//! Second factors: the pool's MFA configuration (SetUserPoolMfaConfig, GetUserPoolMfaConfig),
//! authenticator apps (AssociateSoftwareToken, VerifySoftwareToken) and each user's preferences
//! (SetUserMFAPreference, AdminSetUserMFAPreference). The sign-in challenges live in `auth`.

use cognate_proto::Exception;
use serde::Deserialize;
use serde_json::{Value, json};

use super::session::{SignedIn, signed_in};
use super::wire::Request;
use super::{CognitoError, Services, internal};
use crate::domain::mfa::{associate, record, verify};
use crate::domain::pools::{PoolSettings, load as load_pool, save as save_pool};
use crate::domain::users::resolve;
use crate::services::now_ms;
use crate::store::UserRecord;

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

/// AssociateSoftwareToken with an access token. (With a Session, during MFA_SETUP, `auth` answers.)
pub async fn associate_software_token(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    if req.get("AccessToken").is_none() {
        return crate::signin::associate_in_setup(svc, &req.string("Session")?).await;
    }
    let SignedIn { user, .. } = signed_in(svc, &req).await?;
    Ok(json!({ "SecretCode": associate(svc, &user).await? }))
}

/// VerifySoftwareToken with an access token. (With a Session, during MFA_SETUP, `auth` answers.)
pub async fn verify_software_token(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    if req.get("AccessToken").is_none() {
        return crate::signin::verify_in_setup(svc, &req.string("Session")?, &req.string("UserCode")?).await;
    }
    let SignedIn { user, .. } = signed_in(svc, &req).await?;
    verify(svc, &user, &req.string("UserCode")?).await?;
    Ok(json!({ "Status": "SUCCESS" }))
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
