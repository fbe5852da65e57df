//! USER_AUTH, choice-based sign-in: the user's first factor is a password (PASSWORD, or SRP as
//! PASSWORD_SRP) or a code sent by email or SMS (EMAIL_OTP, SMS_OTP: passwordless), among those the
//! pool allows (`Policies.SignInPolicy.AllowedFirstAuthFactors`) and the user can use. The client
//! names a PREFERRED_CHALLENGE or answers SELECT_CHALLENGE; passkeys (WEB_AUTHN) come with the
//! passkeys work. A code first factor ends the sign-in; a password one goes on to MFA as usual.

use std::collections::BTreeMap;

use cognate_proto::Exception;
use serde_json::{Value, json};

use super::auth::{
    Challenge, Context, check_lockout, enabled, invalid_session, password_sign_in, seal, srp_start,
};
use super::{CognitoError, Services, mfa_challenge};
use crate::store::UserRecord;

/// The first factors the pool allows (Cognito's default: the password only).
fn allowed(ctx: &Context) -> Vec<String> {
    ctx.settings
        .sign_in_policy
        .as_ref()
        .and_then(|p| p.get("AllowedFirstAuthFactors"))
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_else(|| vec!["PASSWORD".to_owned()])
}

/// The first factors `user` can sign in with here, in Cognito's order.
fn available(ctx: &Context, user: Option<&UserRecord>) -> Vec<&'static str> {
    let allowed = allowed(ctx);
    let allows = |f: &str| allowed.iter().any(|a| a == f);
    let verified = |a: &str| {
        user.is_some_and(|u| u.attributes.get(&format!("{a}_verified")).is_some_and(|v| v == "true"))
    };
    let mut out = Vec::new();
    // An unknown user is offered what a user with a password is, so the answer reveals nothing.
    if allows("PASSWORD") && user.is_none_or(|u| u.verifier.is_some()) {
        out.extend(["PASSWORD", "PASSWORD_SRP"]);
    }
    if allows("EMAIL_OTP") && verified("email") {
        out.push("EMAIL_OTP");
    }
    if allows("SMS_OTP") && verified("phone_number") {
        out.push("SMS_OTP");
    }
    out
}

fn select(
    svc: &Services,
    ctx: &Context,
    user: Option<&UserRecord>,
    username: &str,
    options: &[&str],
) -> Value {
    let challenge = match user {
        Some(u) => Challenge::new(ctx, u, "SELECT_CHALLENGE"),
        None => Challenge::stand_in(ctx, "SELECT_CHALLENGE"),
    };
    json!({
        "ChallengeName": "SELECT_CHALLENGE",
        "Session": seal(svc, &challenge),
        "AvailableChallenges": options,
        "ChallengeParameters": { "USERNAME": username },
    })
}

/// The factor `factor` with its own parameters (PASSWORD, SRP_A) from `params`.
async fn begin(
    svc: &Services,
    ctx: &Context,
    user: Option<UserRecord>,
    username: &str,
    factor: &str,
    params: &BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    match factor {
        "PASSWORD_SRP" => {
            let mut srp = params.clone();
            srp.insert("USERNAME".to_owned(), username.to_owned());
            srp_start(svc, ctx, &srp).await
        }
        "PASSWORD" => {
            let password = params.get("PASSWORD").ok_or_else(|| {
                CognitoError::new(Exception::InvalidParameter, "Missing required parameter PASSWORD")
            })?;
            password_sign_in(svc, ctx, user, password).await
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
    let username = params.get("USERNAME").map(String::as_str).unwrap_or_default();
    if user.is_none() && !ctx.hides_users() {
        return Err(super::user::user_not_found());
    }
    let options = available(ctx, user.as_ref());
    if options.is_empty() {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            "The user has no sign-in method this pool allows.",
        ));
    }
    match params.get("PREFERRED_CHALLENGE").map(String::as_str) {
        Some(preferred) if options.contains(&preferred) => {
            begin(svc, ctx, user, username, preferred, params).await
        }
        _ => Ok(select(svc, ctx, user.as_ref(), username, &options)),
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
    let username = answers.get("USERNAME").map(String::as_str).unwrap_or_default();
    let choice = answers.get("ANSWER").map(String::as_str).unwrap_or_default();
    let options = available(ctx, user.as_ref());
    if !options.contains(&choice) || challenge.name() != "SELECT_CHALLENGE" {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            format!("{choice:?} is not one of the available challenges."),
        ));
    }
    begin(svc, ctx, user, username, choice, answers).await
}
