//! USER_AUTH, choice-based sign-in: the user's first factor is a password (PASSWORD, or SRP as
//! PASSWORD_SRP) or a code sent by email or SMS (EMAIL_OTP, SMS_OTP: passwordless), among those the
//! pool allows (`Policies.SignInPolicy.AllowedFirstAuthFactors`) and the user can use. The client
//! names a PREFERRED_CHALLENGE or answers SELECT_CHALLENGE. A passkey (WEB_AUTHN) or a code first
//! factor ends the sign-in; a password one goes on to MFA as usual.

use std::collections::BTreeMap;

use cognate_proto::Exception;
use cognate_proto::auth::param;
use serde_json::{Value, json};

use cognate_webauthn::{self as webauthn, StoredCredential};

use super::challenge::{Challenge, invalid_session, seal};
use super::context::{Context, check_lockout, enabled, failed, succeeded};
use super::password::{password_sign_in, srp_start};
use crate::domain::passkeys::{
    challenge as webauthn_challenge, descriptors, refused, relying_party, user_handle,
};
use cognate_proto::CognitoError;

use super::mfa as mfa_challenge;
use crate::domain::pools::allowed_first_factors;
use crate::services::{Services, internal, now_ms};
use crate::store::{CredentialRecord, UserRecord};

/// What a user can sign in with here: the first factors, in Cognito's order, and the passkeys
/// behind WEB_AUTHN (read once per step, for the choice and for the request options).
struct Factors {
    names: Vec<&'static str>,
    passkeys: Vec<CredentialRecord>,
}

/// The first factors `user` can sign in with here.
async fn available(
    svc: &Services,
    ctx: &Context,
    user: Option<&UserRecord>,
) -> Result<Factors, CognitoError> {
    let allowed = allowed_first_factors(&ctx.settings);
    let allows = |f: &str| allowed.iter().any(|a| a == f);
    let verified = |a: &str| user.is_some_and(|u| u.is_verified(a));
    let mut names = Vec::new();
    // An unknown user is offered what a user with a password is, so the answer reveals nothing.
    if allows("PASSWORD") && user.is_none_or(|u| u.verifier.is_some()) {
        names.extend(["PASSWORD", "PASSWORD_SRP"]);
    }
    if allows("EMAIL_OTP") && verified("email") {
        names.push("EMAIL_OTP");
    }
    if allows("SMS_OTP") && verified("phone_number") {
        names.push("SMS_OTP");
    }
    let passkeys = match user {
        Some(u) if allows("WEB_AUTHN") && ctx.settings.webauthn.is_some() => {
            svc.store.credentials_of(&u.pool_id, &u.key).await.map_err(internal)?
        }
        _ => Vec::new(),
    };
    if !passkeys.is_empty() {
        names.push("WEB_AUTHN");
    }
    Ok(Factors { names, passkeys })
}

/// A WEB_AUTHN challenge's options for `passkeys`: `CREDENTIAL_REQUEST_OPTIONS`, whose challenge is
/// sealed into `challenge` (so it is bound to that Session, and answers once with it).
fn request_options(
    ctx: &Context,
    passkeys: &[CredentialRecord],
    challenge: &mut Challenge,
) -> Result<String, CognitoError> {
    let rp = relying_party(&ctx.pool, &ctx.settings)?;
    let bytes = webauthn_challenge();
    challenge.code = Some(webauthn::b64url(&bytes));
    Ok(webauthn::request_options(&rp, &bytes, &descriptors(passkeys)).to_string())
}

fn webauthn_start(
    svc: &Services,
    ctx: &Context,
    user: &UserRecord,
    username: &str,
    passkeys: &[CredentialRecord],
) -> Result<Value, CognitoError> {
    let mut challenge = Challenge::new(ctx, user, "WEB_AUTHN");
    let options = request_options(ctx, passkeys, &mut challenge)?;
    Ok(json!({
        "ChallengeName": "WEB_AUTHN",
        "Session": seal(svc, &challenge),
        "ChallengeParameters": { "USERNAME": username, "CREDENTIAL_REQUEST_OPTIONS": options },
    }))
}

/// Counts a refused passkey toward the lockout, as a wrong password counts, and answers `err`.
async fn refuse(svc: &Services, user: &UserRecord, err: CognitoError) -> CognitoError {
    let counted = failed(svc, user).await;
    if counted.kind == cognate_proto::Exception::InternalError { counted } else { err }
}

/// RespondToAuthChallenge with WEB_AUTHN (or SELECT_CHALLENGE answered WEB_AUTHN with CREDENTIAL):
/// checks the assertion against the challenge sealed in the Session and the stored credential,
/// moves its counter on (once: two sign-ins with one assertion cannot both pass), then tokens.
pub(super) async fn answer_webauthn(
    svc: &Services,
    ctx: &Context,
    challenge: &Challenge,
    user: UserRecord,
    answers: &BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    let failures = check_lockout(svc, &user).await?;
    let text = answers.get("CREDENTIAL").ok_or_else(|| {
        CognitoError::new(Exception::InvalidParameter, "Missing required parameter CREDENTIAL")
    })?;
    let response: Value = serde_json::from_str(text)
        .map_err(|_| CognitoError::new(Exception::InvalidParameter, "CREDENTIAL is not JSON."))?;
    let rp = relying_party(&ctx.pool, &ctx.settings)?;
    let expected =
        challenge.code.as_deref().and_then(|c| webauthn::from_b64url(c).ok()).ok_or_else(invalid_session)?;
    let id = webauthn::credential_id(&response).map_err(|e| refused(&e))?;
    let stored = svc.store.credential(&ctx.pool.id, &webauthn::b64url(&id)).await.map_err(internal)?;
    let Some(stored) = stored.filter(|c| c.user_key == user.key) else {
        return Err(refuse(svc, &user, refused(&webauthn::Error::UnknownCredential)).await);
    };
    let credential = StoredCredential {
        id: &id,
        public_key: &stored.public_key,
        sign_count: u32::try_from(stored.sign_count).unwrap_or(u32::MAX),
        user_handle: user_handle(&user),
    };
    let assertion = match webauthn::verify_assertion(&rp, &expected, &credential, &response) {
        Ok(a) => a,
        Err(e) => return Err(refuse(svc, &user, refused(&e)).await),
    };
    let moved = svc
        .store
        .use_credential(
            &ctx.pool.id,
            &stored.id,
            stored.sign_count,
            i64::from(assertion.sign_count),
            assertion.backup_state,
            now_ms(),
        )
        .await
        .map_err(internal)?;
    if !moved {
        return Err(CognitoError::new(
            Exception::NotAuthorized,
            "The passkey was used by another sign-in at the same time.",
        ));
    }
    succeeded(svc, &user, failures).await?;
    ctx.tokens(svc, &user).await
}

/// SELECT_CHALLENGE. When a passkey is among the options, the request options come along, so the
/// client may answer WEB_AUTHN with its CREDENTIAL in one step.
fn select(
    svc: &Services,
    ctx: &Context,
    user: Option<&UserRecord>,
    username: &str,
    factors: &Factors,
) -> Result<Value, CognitoError> {
    let mut parameters = json!({ "USERNAME": username });
    let challenge = match user {
        Some(u) => {
            let mut challenge = Challenge::new(ctx, u, "SELECT_CHALLENGE");
            if !factors.passkeys.is_empty() {
                parameters["CREDENTIAL_REQUEST_OPTIONS"] =
                    json!(request_options(ctx, &factors.passkeys, &mut challenge)?);
            }
            challenge
        }
        None => Challenge::stand_in(ctx, username, "SELECT_CHALLENGE"),
    };
    Ok(json!({
        "ChallengeName": "SELECT_CHALLENGE",
        "Session": seal(svc, &challenge),
        "AvailableChallenges": factors.names,
        "ChallengeParameters": parameters,
    }))
}

/// The factor `factor` with its own parameters (PASSWORD, SRP_A) from `params`.
async fn begin(
    svc: &Services,
    ctx: &Context,
    user: Option<UserRecord>,
    username: &str,
    factor: &str,
    params: &BTreeMap<String, String>,
    passkeys: &[CredentialRecord],
) -> Result<Value, CognitoError> {
    match factor {
        "PASSWORD_SRP" => {
            let mut srp = params.clone();
            srp.insert("USERNAME".to_owned(), username.to_owned());
            srp_start(svc, ctx, &srp, None).await
        }
        "PASSWORD" => {
            let password = params.get(param::PASSWORD).ok_or_else(|| {
                CognitoError::new(Exception::InvalidParameter, "Missing required parameter PASSWORD")
            })?;
            password_sign_in(svc, ctx, username, user, password).await
        }
        "WEB_AUTHN" => {
            let user = user.ok_or_else(invalid_session)?;
            enabled(&user)?;
            check_lockout(svc, &user).await?;
            webauthn_start(svc, ctx, &user, username, passkeys)
        }
        _ => {
            let user = user.ok_or_else(invalid_session)?;
            enabled(&user)?;
            check_lockout(svc, &user).await?;
            mfa_challenge::challenge_for(svc, ctx, &user, factor, &[]).await
        }
    }
}

/// InitiateAuth / AdminInitiateAuth with USER_AUTH.
pub(super) async fn start(
    svc: &Services,
    ctx: &Context,
    params: &BTreeMap<String, String>,
    user: Option<UserRecord>,
) -> Result<Value, CognitoError> {
    let username = params.get(param::USERNAME).map(String::as_str).unwrap_or_default();
    if user.is_none() && !ctx.hides_users() {
        return Err(crate::domain::users::user_not_found());
    }
    let factors = available(svc, ctx, user.as_ref()).await?;
    if factors.names.is_empty() {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            "The user has no sign-in method this pool allows.",
        ));
    }
    match params.get("PREFERRED_CHALLENGE").map(String::as_str) {
        Some(preferred) if factors.names.contains(&preferred) => {
            begin(svc, ctx, user, username, preferred, params, &factors.passkeys).await
        }
        _ => select(svc, ctx, user.as_ref(), username, &factors),
    }
}

/// RespondToAuthChallenge with SELECT_CHALLENGE: ANSWER names the factor; PASSWORD or SRP_A come
/// along for the password ones.
pub(super) async fn answer_select(
    svc: &Services,
    ctx: &Context,
    challenge: &Challenge,
    user: Option<UserRecord>,
    answers: &BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    let username = answers.get(param::USERNAME).map(String::as_str).unwrap_or_default();
    let choice = answers.get("ANSWER").map(String::as_str).unwrap_or_default();
    let factors = available(svc, ctx, user.as_ref()).await?;
    if !factors.names.contains(&choice) || challenge.name() != "SELECT_CHALLENGE" {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            format!("{choice:?} is not one of the available challenges."),
        ));
    }
    match (choice, user) {
        ("WEB_AUTHN", Some(user)) if answers.contains_key("CREDENTIAL") => {
            enabled(&user)?;
            answer_webauthn(svc, ctx, challenge, user, answers).await
        }
        (_, user) => begin(svc, ctx, user, username, choice, answers, &factors.passkeys).await,
    }
}
