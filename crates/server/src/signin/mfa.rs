//! The second-factor steps of sign-in: SOFTWARE_TOKEN_MFA for users with an authenticator app, and
//! MFA_SETUP for users of a pool that requires MFA and who have none yet (AssociateSoftwareToken and
//! VerifySoftwareToken with the challenge's Session, then RespondToAuthChallenge). Every flow that
//! checks a password (SRP, password, admin) reaches them through `Context::finish`.

use std::collections::BTreeMap;

use cognate_proto::Exception;
use serde_json::{Value, json};

use super::challenge::{Challenge, invalid_session, open, seal};
use super::context::{Context, check_lockout, failed, succeeded};
use subtle::ConstantTimeEq;

use cognate_proto::CognitoError;

use crate::domain::codes as code;
use crate::domain::mfa;
use crate::services::{Services, internal};
use crate::store::{UserRecord, UserStatus};

/// The second factors `user` can answer with now, in Cognito's order.
async fn factors(
    svc: &Services,
    ctx: &Context,
    user: &UserRecord,
) -> Result<(Vec<&'static str>, Option<String>), CognitoError> {
    let m = mfa::record(svc, user).await?;
    let has = |a: &str| user.attributes.get(a).is_some_and(|v| !v.is_empty());
    let mut out = Vec::new();
    if ctx.settings.mfa.sms.is_some() && m.sms_enabled && has("phone_number") {
        out.push("SMS_MFA");
    }
    if ctx.settings.mfa.software_token && m.totp_verified && m.totp_enabled {
        out.push("SOFTWARE_TOKEN_MFA");
    }
    if ctx.settings.mfa.email.is_some() && m.email_enabled && has("email") {
        out.push("EMAIL_OTP");
    }
    Ok((out, m.preferred))
}

/// The challenge a password-verified `user` must answer next, if MFA applies to them: their
/// preferred factor, their only one, a choice (SELECT_MFA_TYPE), or MFA_SETUP when the pool
/// requires MFA and they have none.
pub(super) async fn start(
    svc: &Services,
    ctx: &Context,
    user: &UserRecord,
) -> Result<Option<Value>, CognitoError> {
    if ctx.settings.mfa_configuration == "OFF" {
        return Ok(None);
    }
    let (options, preferred) = factors(svc, ctx, user).await?;
    let name = match (options.as_slice(), preferred) {
        ([], _) if ctx.settings.mfa_configuration == "ON" && ctx.settings.mfa.software_token => "MFA_SETUP",
        ([], _) => return Ok(None),
        (_, Some(p)) if options.contains(&p.as_str()) => {
            options.iter().copied().find(|o| *o == p).unwrap_or("SELECT_MFA_TYPE")
        }
        ([only], _) => only,
        _ => "SELECT_MFA_TYPE",
    };
    challenge_for(svc, ctx, user, name, &options).await.map(Some)
}

/// Issues challenge `name`: for SMS_MFA and EMAIL_OTP a code is sent (within the sending limit) and
/// sealed into the Session.
pub(super) async fn challenge_for(
    svc: &Services,
    ctx: &Context,
    user: &UserRecord,
    name: &str,
    options: &[&str],
) -> Result<Value, CognitoError> {
    let mut challenge = Challenge::new(ctx, user, name);
    let mut parameters = json!({ "USER_ID_FOR_SRP": user.username });
    match name {
        "MFA_SETUP" => parameters["MFAS_CAN_SETUP"] = json!("[\"SOFTWARE_TOKEN_MFA\"]"),
        "SELECT_MFA_TYPE" => {
            parameters["MFAS_CAN_CHOOSE"] = json!(serde_json::to_string(options).unwrap_or_default())
        }
        "SMS_MFA" | "SMS_OTP" | "EMAIL_OTP" => {
            let (channel, attribute) =
                if name == "EMAIL_OTP" { ("EMAIL", "email") } else { ("SMS", "phone_number") };
            let destination = user.attributes.get(attribute).cloned().unwrap_or_default();
            code::check_send_limit(svc, &user.pool_id, &destination).await?;
            let value = code::six_digits();
            let (subject, text) = template(ctx, name);
            let client = Some(ctx.client.id.as_str());
            let custom = crate::triggers::events::custom_message(
                svc,
                &ctx.settings,
                user,
                client,
                "CustomMessage_Authentication",
                channel,
                &value,
                false,
            )
            .await?;
            let (subject, body) = match custom {
                Some((custom_subject, body)) => (custom_subject.unwrap_or(subject), body),
                None => (subject, text.replace("{####}", &value)),
            };
            let message = code::message(user, channel, destination.clone(), &subject, body);
            svc.store.update_user(user, &[message], &[]).await.map_err(internal)?;
            parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] = json!(channel);
            parameters["CODE_DELIVERY_DESTINATION"] = json!(code::mask(&destination));
            challenge.code = Some(value);
        }
        _ => {}
    }
    Ok(json!({ "ChallengeName": name, "Session": seal(svc, &challenge), "ChallengeParameters": parameters }))
}

/// The pool's message for a sign-in code (`{####}` stands for the code), and its subject.
fn template(ctx: &Context, name: &str) -> (String, String) {
    let pick = |config: &Option<Value>, member: &str, default: &str| {
        config.as_ref().and_then(|c| c.get(member)).and_then(Value::as_str).unwrap_or(default).to_owned()
    };
    if name != "EMAIL_OTP" {
        (
            "Your sign-in code".to_owned(),
            pick(&ctx.settings.mfa.sms, "SmsAuthenticationMessage", "Your authentication code is {####}."),
        )
    } else {
        (
            pick(&ctx.settings.mfa.email, "Subject", "Your sign-in code"),
            pick(&ctx.settings.mfa.email, "Message", "Your authentication code is {####}."),
        )
    }
}

fn code_mismatch() -> CognitoError {
    CognitoError::new(Exception::CodeMismatch, "Invalid code received for user")
}

fn required<'a>(answers: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, CognitoError> {
    answers.get(name).map(String::as_str).ok_or_else(|| {
        CognitoError::new(Exception::InvalidParameter, format!("Missing required parameter {name}"))
    })
}

/// RespondToAuthChallenge for the MFA challenges (the challenge is already consumed).
pub(super) async fn answer(
    svc: &Services,
    ctx: &Context,
    challenge: &Challenge,
    user: &UserRecord,
    answers: &BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    let name = challenge.name();
    match name {
        "SELECT_MFA_TYPE" => {
            let choice = required(answers, "ANSWER")?;
            let (options, _) = factors(svc, ctx, user).await?;
            let Some(chosen) = options.iter().copied().find(|o| *o == choice) else {
                return Err(CognitoError::new(
                    Exception::InvalidParameter,
                    format!("{choice} is not one of the user's MFA methods."),
                ));
            };
            challenge_for(svc, ctx, user, chosen, &options).await
        }
        "MFA_SETUP" => {
            if challenge.step.as_deref() != Some("verified") {
                return Err(CognitoError::new(
                    Exception::InvalidParameter,
                    "Set up and verify a software token (AssociateSoftwareToken, VerifySoftwareToken) first.",
                ));
            }
            ctx.tokens(svc, user).await
        }
        _ => {
            let member = match name {
                "SMS_MFA" => "SMS_MFA_CODE",
                "SMS_OTP" => "SMS_OTP_CODE",
                "EMAIL_OTP" => "EMAIL_OTP_CODE",
                _ => "SOFTWARE_TOKEN_MFA_CODE",
            };
            let given = required(answers, member)?;
            let failures = check_lockout(svc, user).await?;
            let check = match &challenge.code {
                Some(sent) if bool::from(sent.as_bytes().ct_eq(given.as_bytes())) => mfa::CodeCheck::Accepted,
                Some(_) => mfa::CodeCheck::Wrong,
                None => mfa::check_code(svc, &mfa::record(svc, user).await?, given).await?,
            };
            // A wrong or replayed code counts toward the same lockout as a wrong password.
            if check != mfa::CodeCheck::Accepted {
                let _ = failed(svc, user).await;
                return Err(if check == mfa::CodeCheck::Used {
                    CognitoError::new(
                        Exception::ExpiredCode,
                        "Your software token has already been used once.",
                    )
                } else {
                    code_mismatch()
                });
            }
            succeeded(svc, user, failures).await?;
            ctx.tokens(svc, user).await
        }
    }
}

/// The MFA_SETUP challenge a Session names, and its user.
async fn setup_challenge(svc: &Services, session: &str) -> Result<(Challenge, UserRecord), CognitoError> {
    let challenge = open(svc, session)?;
    if challenge.name() != "MFA_SETUP" {
        return Err(invalid_session());
    }
    let key = challenge.user_key().ok_or_else(invalid_session)?;
    let user = svc.store.user(challenge.pool(), key).await.map_err(internal)?.ok_or_else(invalid_session)?;
    Ok((challenge, user))
}

/// AssociateSoftwareToken with the Session of MFA_SETUP: a secret for the app; the same Session
/// goes on to VerifySoftwareToken.
///
/// # Errors
/// `NotAuthorizedException` for a Session that is not a live MFA_SETUP.
pub async fn associate_in_setup(svc: &Services, session: &str) -> Result<Value, CognitoError> {
    let (_, user) = setup_challenge(svc, session).await?;
    let secret = mfa::associate(svc, &user).await?;
    Ok(json!({ "SecretCode": secret, "Session": session }))
}

/// VerifySoftwareToken with the Session of MFA_SETUP: the app's code turns the factor on (and
/// preferred), and a new Session lets RespondToAuthChallenge finish the sign-in.
///
/// # Errors
/// `NotAuthorizedException` for a Session that is not a live MFA_SETUP; the code's refusal.
pub async fn verify_in_setup(svc: &Services, session: &str, code: &str) -> Result<Value, CognitoError> {
    let (challenge, user) = setup_challenge(svc, session).await?;
    if !challenge.consume(svc).await? {
        return Err(invalid_session());
    }
    let mut m = mfa::verify(svc, &user, code).await?;
    m.totp_enabled = true;
    m.preferred = Some("SOFTWARE_TOKEN_MFA".to_owned());
    svc.store.put_mfa(&m).await.map_err(internal)?;
    let mut next = challenge.follow("MFA_SETUP");
    next.step = Some("verified".to_owned());
    Ok(json!({ "Status": "SUCCESS", "Session": seal(svc, &next) }))
}

/// Tokens for `user`, whose password just checked, or the challenge their status calls for.
/// `failures` (the failed attempts before this one) are forgotten only when tokens are issued:
/// a right password followed by wrong MFA codes keeps counting toward the lockout.
pub(super) async fn finish(
    svc: &Services,
    ctx: &Context,
    user: UserRecord,
    failures: i64,
) -> Result<Value, CognitoError> {
    match user.status {
        UserStatus::ForceChangePassword => {
            let challenge = Challenge::new(ctx, &user, "NEW_PASSWORD_REQUIRED");
            let mut attributes = user.attributes.clone();
            attributes.remove("sub");
            let required: Vec<String> = ctx
                .settings
                .schema
                .iter()
                .filter(|s| s.required && s.name != "sub" && !user.attributes.contains_key(&s.name))
                .map(|s| format!("userAttributes.{}", s.name))
                .collect();
            return Ok(json!({
                "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "Session": seal(svc, &challenge),
                "ChallengeParameters": {
                    "USER_ID_FOR_SRP": user.username,
                    "requiredAttributes": serde_json::to_string(&required).unwrap_or_default(),
                    "userAttributes": serde_json::to_string(&attributes).unwrap_or_default(),
                },
            }));
        }
        UserStatus::ResetRequired => {
            return Err(CognitoError::new(
                Exception::PasswordResetRequired,
                "Password reset required for the user",
            ));
        }
        UserStatus::Unconfirmed => {
            return Err(CognitoError::new(Exception::UserNotConfirmed, "User is not confirmed."));
        }
        UserStatus::Confirmed => {}
    }
    if let Some(challenge) = start(svc, ctx, &user).await? {
        return Ok(challenge);
    }
    succeeded(svc, &user, failures).await?;
    ctx.tokens(svc, &user).await
}
