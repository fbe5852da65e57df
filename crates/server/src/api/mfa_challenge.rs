//! The second-factor steps of sign-in: SOFTWARE_TOKEN_MFA for users with an authenticator app, and
//! MFA_SETUP for users of a pool that requires MFA and who have none yet (AssociateSoftwareToken and
//! VerifySoftwareToken with the challenge's Session, then RespondToAuthChallenge). Every flow that
//! checks a password (SRP, password, admin) reaches them through `Context::finish`.

use std::collections::BTreeMap;

use cognate_proto::Exception;
use serde_json::{Value, json};

use super::auth::{Challenge, Context, check_lockout, failed, invalid_session, open, seal, succeeded};
use super::wire::Request;
use super::{CognitoError, Services, internal, mfa};
use crate::store::UserRecord;

/// The challenge a password-verified `user` must answer next, if MFA applies to them.
pub(super) async fn start(
    svc: &Services,
    ctx: &Context,
    user: &UserRecord,
) -> Result<Option<Value>, CognitoError> {
    if ctx.settings.mfa_configuration == "OFF" {
        return Ok(None);
    }
    let m = mfa::record(svc, user).await?;
    let totp = ctx.settings.mfa.software_token && m.totp_verified && m.totp_enabled;
    let name = if totp {
        "SOFTWARE_TOKEN_MFA"
    } else if ctx.settings.mfa_configuration == "ON" && ctx.settings.mfa.software_token {
        "MFA_SETUP"
    } else {
        return Ok(None);
    };
    let challenge = Challenge::new(ctx, user, name);
    let mut parameters = json!({ "USER_ID_FOR_SRP": user.username });
    if name == "MFA_SETUP" {
        parameters["MFAS_CAN_SETUP"] = json!("[\"SOFTWARE_TOKEN_MFA\"]");
    }
    Ok(Some(
        json!({ "ChallengeName": name, "Session": seal(svc, &challenge), "ChallengeParameters": parameters }),
    ))
}

fn code_mismatch() -> CognitoError {
    CognitoError::new(Exception::CodeMismatch, "Invalid code received for user")
}

/// RespondToAuthChallenge for SOFTWARE_TOKEN_MFA and MFA_SETUP (the challenge is already consumed).
pub(super) async fn answer(
    svc: &Services,
    ctx: &Context,
    challenge: &Challenge,
    user: &UserRecord,
    answers: &BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    match challenge.name() {
        "SOFTWARE_TOKEN_MFA" => {
            let code = answers.get("SOFTWARE_TOKEN_MFA_CODE").ok_or_else(|| {
                CognitoError::new(
                    Exception::InvalidParameter,
                    "Missing required parameter SOFTWARE_TOKEN_MFA_CODE",
                )
            })?;
            let failures = check_lockout(svc, user).await?;
            let m = mfa::record(svc, user).await?;
            // A wrong or replayed code counts toward the same lockout as a wrong password.
            if !mfa::check_code(svc, &m, code).await? {
                let _ = failed(svc, user).await;
                return Err(code_mismatch());
            }
            succeeded(svc, user, failures).await?;
            ctx.tokens(svc, user).await
        }
        _ => {
            if challenge.step.as_deref() != Some("verified") {
                return Err(CognitoError::new(
                    Exception::InvalidParameter,
                    "Set up and verify a software token (AssociateSoftwareToken, VerifySoftwareToken) first.",
                ));
            }
            ctx.tokens(svc, user).await
        }
    }
}

/// The MFA_SETUP challenge a Session names, and its user.
async fn setup_challenge(svc: &Services, req: &Request) -> Result<(Challenge, UserRecord), CognitoError> {
    let challenge = open(svc, &req.string("Session")?)?;
    if challenge.name() != "MFA_SETUP" {
        return Err(invalid_session());
    }
    let key = challenge.user_key().ok_or_else(invalid_session)?;
    let user = svc.store.user(challenge.pool(), key).await.map_err(internal)?.ok_or_else(invalid_session)?;
    Ok((challenge, user))
}

/// AssociateSoftwareToken with the Session of MFA_SETUP: a secret for the app; the same Session
/// goes on to VerifySoftwareToken.
pub(super) async fn associate_in_setup(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (_, user) = setup_challenge(svc, &req).await?;
    let secret = mfa::associate(svc, &user).await?;
    Ok(json!({ "SecretCode": secret, "Session": req.string("Session")? }))
}

/// VerifySoftwareToken with the Session of MFA_SETUP: the app's code turns the factor on (and
/// preferred), and a new Session lets RespondToAuthChallenge finish the sign-in.
pub(super) async fn verify_in_setup(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (challenge, user) = setup_challenge(svc, &req).await?;
    if !challenge.consume(svc).await? {
        return Err(invalid_session());
    }
    let mut m = mfa::verify(svc, &user, &req.string("UserCode")?).await?;
    m.totp_enabled = true;
    m.preferred = Some("SOFTWARE_TOKEN_MFA".to_owned());
    svc.store.put_mfa(&m).await.map_err(internal)?;
    let mut next = challenge.follow("MFA_SETUP");
    next.step = Some("verified".to_owned());
    Ok(json!({ "Status": "SUCCESS", "Session": seal(svc, &next) }))
}
