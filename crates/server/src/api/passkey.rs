//! Passkeys: the pool's `WebAuthnConfiguration`, and a signed-in user's credentials
//! (StartWebAuthnRegistration, CompleteWebAuthnRegistration, ListWebAuthnCredentials,
//! DeleteWebAuthnCredential, GetUserAuthFactors). Signing in with one is the WEB_AUTHN factor of
//! USER_AUTH (`user_auth`). The WebAuthn checks themselves are `cognate_webauthn`'s.

use cognate_proto::Exception;
use cognate_webauthn::{self as webauthn, UserEntity};
use serde_json::{Value, json};

use super::session::{SignedIn, signed_in};
use super::wire::{Request, epoch_seconds, set_page_token};
use super::{CognitoError, Services, internal};
use crate::domain::passkeys::{
    challenge, descriptors, enabled_in, not_enabled, refused, relying_party, user_handle,
};
use crate::services::now_ms;
use crate::store::{CredentialRecord, RegistrationRecord, StoreError};

/// How long a started registration can be completed (the browser is given one minute).
const REGISTRATION_TTL_MS: i64 = 5 * 60 * 1000;
/// Credentials a user may have (Cognito's limit).
const MAX_CREDENTIALS: usize = 20;

/// StartWebAuthnRegistration.
pub async fn start_registration(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let SignedIn { pool, settings, user, .. } = signed_in(svc, &req).await?;
    let rp = relying_party(&pool, &settings)?;
    if !enabled_in(&settings) {
        return Err(not_enabled());
    }
    let existing = svc.store.credentials_of(&pool.id, &user.key).await.map_err(internal)?;
    if existing.len() >= MAX_CREDENTIALS {
        return Err(CognitoError::new(
            Exception::LimitExceeded,
            "The user has the most passkeys allowed (20).",
        ));
    }
    let challenge = challenge();
    svc.store
        .put_registration(&RegistrationRecord {
            pool_id: pool.id.clone(),
            user_key: user.key.clone(),
            challenge: webauthn::b64url(&challenge),
            relying_party_id: rp.id.clone(),
            expires_ms: now_ms() + REGISTRATION_TTL_MS,
        })
        .await
        .map_err(internal)?;
    let entity = UserEntity { id: user_handle(&user), name: &user.username, display_name: &user.username };
    let options = webauthn::creation_options(&rp, &entity, &challenge, &descriptors(&existing));
    Ok(json!({ "CredentialCreationOptions": options }))
}

/// A document member that SDKs send as JSON, or (some clients) as a string of JSON.
fn document(req: &Request, member: &str) -> Result<Value, CognitoError> {
    match req.require(member)? {
        Value::String(text) => serde_json::from_str(text)
            .map_err(|_| CognitoError::new(Exception::InvalidParameter, format!("{member} is not JSON."))),
        object @ Value::Object(_) => Ok(object.clone()),
        _ => Err(CognitoError::new(Exception::InvalidParameter, format!("{member} must be a JSON object."))),
    }
}

/// CompleteWebAuthnRegistration.
pub async fn complete_registration(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let SignedIn { pool, settings, user, .. } = signed_in(svc, &req).await?;
    let credential = document(&req, "Credential")?;
    let rp = relying_party(&pool, &settings)?;
    let not_found = || {
        CognitoError::new(
            Exception::WebAuthnChallengeNotFound,
            "No passkey registration is in progress: call StartWebAuthnRegistration first.",
        )
    };
    // Taken whatever follows: a registration challenge answers once.
    let started =
        svc.store.take_registration(&pool.id, &user.key).await.map_err(internal)?.ok_or_else(not_found)?;
    if started.expires_ms < now_ms() {
        return Err(not_found());
    }
    if started.relying_party_id != rp.id {
        return Err(CognitoError::new(
            Exception::WebAuthnRelyingPartyMismatch,
            "The pool's relying party changed since the registration started.",
        ));
    }
    let challenge = webauthn::from_b64url(&started.challenge).map_err(|_| not_found())?;
    let made = webauthn::verify_registration(&rp, &challenge, &credential).map_err(|e| refused(&e))?;
    let now = now_ms();
    let record = CredentialRecord {
        pool_id: pool.id.clone(),
        id: webauthn::b64url(&made.credential_id),
        user_key: user.key.clone(),
        public_key: made.public_key,
        algorithm: made.algorithm.id(),
        sign_count: i64::from(made.sign_count),
        backup_eligible: made.backup_eligible,
        backup_state: made.backup_state,
        transports: made.transports,
        attachment: made.attachment.clone(),
        friendly_name: Some(
            match made.attachment.as_deref() {
                Some("platform") => "Passkey on this device",
                Some("cross-platform") => "Security key",
                _ => "Passkey",
            }
            .to_owned(),
        ),
        relying_party_id: rp.id,
        created_ms: now,
        last_used_ms: None,
    };
    match svc.store.insert_credential(&record).await {
        Ok(()) => Ok(json!({})),
        Err(StoreError::Conflict(_)) => Err(CognitoError::new(
            Exception::WebAuthnCredentialNotSupported,
            "This credential is registered already.",
        )),
        Err(e) => Err(internal(e)),
    }
}

/// ListWebAuthnCredentials.
pub async fn list(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let SignedIn { pool, user, .. } = signed_in(svc, &req).await?;
    let limit = req.limit("MaxResults", MAX_CREDENTIALS, MAX_CREDENTIALS, 0)?;
    let after = req.page_after("NextToken")?;
    let all = svc.store.credentials_of(&pool.id, &user.key).await.map_err(internal)?;
    let start = after.map_or(0, |id| all.iter().position(|c| c.id == id).map_or(all.len(), |i| i + 1));
    let page: Vec<&CredentialRecord> = all.iter().skip(start).take(limit).collect();
    let next = (start + page.len() < all.len()).then(|| page.last().map(|c| c.id.clone())).flatten();
    let items: Vec<Value> = page
        .iter()
        .map(|c| {
            let mut item = json!({
                "CredentialId": c.id,
                "FriendlyCredentialName": c.friendly_name.clone().unwrap_or_else(|| "Passkey".to_owned()),
                "RelyingPartyId": c.relying_party_id,
                "AuthenticatorTransports": c.transports,
                "CreatedAt": epoch_seconds(c.created_ms),
            });
            if let Some(a) = &c.attachment {
                item["AuthenticatorAttachment"] = json!(a);
            }
            item
        })
        .collect();
    let mut out = json!({ "Credentials": items });
    set_page_token(&mut out, "NextToken", next);
    Ok(out)
}

/// DeleteWebAuthnCredential.
pub async fn delete(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let SignedIn { pool, user, .. } = signed_in(svc, &req).await?;
    let id = req.string("CredentialId")?;
    if svc.store.delete_credential(&pool.id, &user.key, &id).await.map_err(internal)? {
        Ok(json!({}))
    } else {
        Err(CognitoError::new(Exception::ResourceNotFound, "The user has no credential of that id."))
    }
}

/// GetUserAuthFactors.
pub async fn auth_factors(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let SignedIn { pool, user, .. } = signed_in(svc, &req).await?;
    let (mfa_list, preferred) = crate::domain::mfa::user_settings(svc, &user).await?;
    let mut factors = Vec::new();
    if user.verifier.is_some() {
        factors.push("PASSWORD");
    }
    if user.is_verified("email") {
        factors.push("EMAIL_OTP");
    }
    if user.is_verified("phone_number") {
        factors.push("SMS_OTP");
    }
    if !svc.store.credentials_of(&pool.id, &user.key).await.map_err(internal)?.is_empty() {
        factors.push("WEB_AUTHN");
    }
    let mut out = json!({
        "Username": user.username,
        "UserMFASettingList": mfa_list,
        "ConfiguredUserAuthFactors": factors,
    });
    if let Some(p) = preferred {
        out["PreferredMfaSetting"] = json!(p);
    }
    Ok(out)
}
