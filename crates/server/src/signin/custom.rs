//! CUSTOM_AUTH: the pool's define, create and verify auth challenge triggers decide the sign-in.
//! Passwordless (`USERNAME` alone), or after the password (`CHALLENGE_NAME: SRP_A` with `SRP_A`:
//! define then asks for PASSWORD_VERIFIER, answered as in USER_SRP_AUTH). The session history the
//! define trigger sees, and the private answer of the challenge being asked, travel sealed in the
//! Session, so any server process takes the next step and each step is answered once.

use std::collections::BTreeMap;

use cognate_proto::{CognitoError, Exception};
use serde_json::{Map, Value, json};

use super::challenge::{Challenge, seal};
use super::context::{Context, enabled, find_user, param, wrong_password};
use crate::domain::users::username_key;
use crate::services::Services;
use crate::store::UserRecord;
use crate::triggers::{Event, Trigger, call, invalid_output, is_configured, user_attributes};

/// More steps than this in one sign-in is a loop in the triggers: the sign-in fails.
const MAX_STEPS: usize = 10;

fn not_configured() -> CognitoError {
    CognitoError::new(
        Exception::InvalidParameter,
        "Custom auth lambda trigger is not configured for the user pool.",
    )
}

fn entry(name: &str, result: bool, metadata: Option<&Value>) -> Value {
    json!({ "challengeName": name, "challengeResult": result, "challengeMetadata": metadata.cloned().unwrap_or(Value::Null) })
}

/// InitiateAuth with `CUSTOM_AUTH`.
///
/// # Errors
/// Cognito's refusals; the triggers' failures.
pub(super) async fn start(
    svc: &Services,
    ctx: &Context,
    params: &BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    let needed =
        [Trigger::DefineAuthChallenge, Trigger::CreateAuthChallenge, Trigger::VerifyAuthChallengeResponse];
    if !needed.iter().all(|t| is_configured(&ctx.settings, *t)) {
        return Err(not_configured());
    }
    let username = param(params, "USERNAME")?;
    ctx.check_secret_hash(svc, params, username)?;
    let user = find_user(svc, ctx, username).await?;
    if user.is_none() && !ctx.hides_users() {
        return Err(crate::domain::users::user_not_found());
    }
    if let Some(user) = &user {
        enabled(user)?;
        ctx.pre_authentication(svc, user).await?;
    }
    let mut history = Vec::new();
    let srp_a = match params.get("CHALLENGE_NAME").map(String::as_str) {
        Some("SRP_A") => {
            history.push(entry("SRP_A", true, None));
            Some(param(params, "SRP_A")?.to_owned())
        }
        _ => None,
    };
    next(svc, ctx, user.as_ref(), username, history, srp_a.as_deref()).await
}

/// The event's user part: the user's attributes, or none for an unknown user.
fn who(user: Option<&UserRecord>) -> (Value, bool) {
    match user {
        Some(u) => (user_attributes(u), false),
        None => (json!({}), true),
    }
}

/// Asks the define trigger what follows `history`, and does it.
async fn next(
    svc: &Services,
    ctx: &Context,
    user: Option<&UserRecord>,
    asked: &str,
    history: Vec<Value>,
    srp_a: Option<&str>,
) -> Result<Value, CognitoError> {
    if history.len() > MAX_STEPS {
        return Err(wrong_password());
    }
    let name = user.map_or(asked, |u| u.username.as_str());
    let (attributes, not_found) = who(user);
    let client = Some(ctx.client.id.as_str());
    let define = call(
        svc,
        &ctx.settings,
        Event {
            trigger: Trigger::DefineAuthChallenge,
            source: "DefineAuthChallenge_Authentication",
            pool_id: &ctx.pool.id,
            user_name: name,
            client_id: client,
            request: json!({ "userAttributes": attributes, "session": history, "userNotFound": not_found, "clientMetadata": {} }),
        },
    )
    .await?
    .ok_or_else(not_configured)?;
    let flag = |member: &str| match define.get(member) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid_output()),
    };
    if flag("failAuthentication")? {
        return Err(wrong_password());
    }
    if flag("issueTokens")? {
        // Tokens only for a user who exists and answered what the triggers asked.
        let Some(user) = user else { return Err(wrong_password()) };
        return ctx.tokens(svc, user).await;
    }
    match define.get("challengeName").and_then(Value::as_str) {
        Some("PASSWORD_VERIFIER") => {
            let Some(srp_a) = srp_a else { return Err(invalid_output()) };
            let params: BTreeMap<String, String> =
                [("USERNAME".to_owned(), asked.to_owned()), ("SRP_A".to_owned(), srp_a.to_owned())].into();
            super::password::srp_start(svc, ctx, &params, Some(json!({ "history": history }))).await
        }
        Some("CUSTOM_CHALLENGE") => create(svc, ctx, user, asked, history).await,
        _ => Err(invalid_output()),
    }
}

/// The create trigger's challenge, asked of the user with its public parameters.
async fn create(
    svc: &Services,
    ctx: &Context,
    user: Option<&UserRecord>,
    asked: &str,
    history: Vec<Value>,
) -> Result<Value, CognitoError> {
    let name = user.map_or(asked, |u| u.username.as_str());
    let (attributes, not_found) = who(user);
    let created = call(
        svc,
        &ctx.settings,
        Event {
            trigger: Trigger::CreateAuthChallenge,
            source: "CreateAuthChallenge_Authentication",
            pool_id: &ctx.pool.id,
            user_name: name,
            client_id: Some(&ctx.client.id),
            request: json!({ "userAttributes": attributes, "challengeName": "CUSTOM_CHALLENGE", "session": history,
                             "userNotFound": not_found, "clientMetadata": {} }),
        },
    )
    .await?
    .ok_or_else(not_configured)?;
    let mut public = match created.get("publicChallengeParameters") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) if map.values().all(Value::is_string) => map.clone(),
        Some(_) => return Err(invalid_output()),
    };
    let private = match created.get("privateChallengeParameters") {
        None | Some(Value::Null) => json!({}),
        Some(p @ Value::Object(map)) if map.values().all(Value::is_string) => p.clone(),
        Some(_) => return Err(invalid_output()),
    };
    let metadata = match created.get("challengeMetadata") {
        None | Some(Value::Null) => Value::Null,
        Some(m @ Value::String(_)) => m.clone(),
        Some(_) => return Err(invalid_output()),
    };
    let mut challenge = match user {
        Some(u) => Challenge::new(ctx, u, "CUSTOM_CHALLENGE"),
        None => Challenge::stand_in(ctx, asked, "CUSTOM_CHALLENGE"),
    };
    challenge.custom = Some(json!({ "history": history, "private": private, "metadata": metadata }));
    public.insert(
        "USERNAME".into(),
        json!(user.map_or_else(|| username_key(&ctx.settings, asked), |u| u.username.clone())),
    );
    Ok(
        json!({ "ChallengeName": "CUSTOM_CHALLENGE", "Session": seal(svc, &challenge), "ChallengeParameters": public }),
    )
}

fn history_of(challenge: &Challenge) -> Vec<Value> {
    challenge
        .custom
        .as_ref()
        .and_then(|c| c.get("history"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// RespondToAuthChallenge with CUSTOM_CHALLENGE (the challenge is already consumed): the verify
/// trigger judges `ANSWER`, and define decides what follows.
///
/// # Errors
/// Cognito's refusals; the triggers' failures.
pub(super) async fn answer(
    svc: &Services,
    ctx: &Context,
    challenge: &Challenge,
    user: Option<UserRecord>,
    answers: &BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    let given = param(answers, "ANSWER")?;
    let custom = challenge.custom.clone().unwrap_or(Value::Null);
    let asked = challenge.asked.clone().unwrap_or_default();
    if let Some(user) = &user {
        enabled(user)?;
    }
    let name = user.as_ref().map_or(asked.as_str(), |u| u.username.as_str());
    let (attributes, not_found) = who(user.as_ref());
    let verified = call(
        svc,
        &ctx.settings,
        Event {
            trigger: Trigger::VerifyAuthChallengeResponse,
            source: "VerifyAuthChallengeResponse_Authentication",
            pool_id: &ctx.pool.id,
            user_name: name,
            client_id: Some(&ctx.client.id),
            request: json!({ "userAttributes": attributes, "privateChallengeParameters": custom["private"],
                             "challengeAnswer": given, "userNotFound": not_found, "clientMetadata": {} }),
        },
    )
    .await?
    .ok_or_else(not_configured)?;
    let correct = match verified.get("answerCorrect") {
        Some(Value::Bool(b)) => *b,
        None | Some(Value::Null) => false,
        Some(_) => return Err(invalid_output()),
    };
    let mut history = history_of(challenge);
    history.push(entry("CUSTOM_CHALLENGE", correct, custom.get("metadata").filter(|m| !m.is_null())));
    next(svc, ctx, user.as_ref(), &asked, history, None).await
}

/// After a PASSWORD_VERIFIER asked for by define: back to define with the password's result.
///
/// # Errors
/// Cognito's refusals; the triggers' failures.
pub(super) async fn after_password(
    svc: &Services,
    ctx: &Context,
    challenge: &Challenge,
    user: &UserRecord,
) -> Result<Value, CognitoError> {
    let mut history = history_of(challenge);
    history.push(entry("PASSWORD_VERIFIER", true, None));
    next(svc, ctx, Some(user), &user.username, history, None).await
}
