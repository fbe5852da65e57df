//! What each trigger is sent and what its answer may change, checked before anything is applied.

use std::collections::BTreeMap;

use cognate_proto::CognitoError;
use serde_json::{Map, Value, json};

use super::{Event, Trigger, call, invalid_output, token_version, user_attributes};
use crate::domain::pools::PoolSettings;
use crate::services::Services;
use crate::store::{UserRecord, UserStatus};
use crate::tokens::Overrides;

/// A boolean member of an answer: absent or null is false, anything but a boolean is unusable.
fn flag(response: &Value, member: &str) -> Result<bool, CognitoError> {
    match response.get(member) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid_output()),
    }
}

fn strings(value: Option<&Value>) -> Result<Vec<String>, CognitoError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            items.iter().map(|i| i.as_str().map(str::to_owned).ok_or_else(invalid_output)).collect()
        }
        Some(_) => Err(invalid_output()),
    }
}

/// PreSignUp's answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignUpAnswer {
    /// Confirm the user at once.
    pub auto_confirm: bool,
    /// Mark the email verified.
    pub auto_verify_email: bool,
    /// Mark the phone number verified.
    pub auto_verify_phone: bool,
}

/// PreSignUp (`PreSignUp_SignUp`, `PreSignUp_AdminCreateUser`), before the user is written.
///
/// # Errors
/// The trigger's refusal or failure.
#[allow(clippy::too_many_arguments)]
pub async fn pre_sign_up(
    svc: &Services,
    settings: &PoolSettings,
    pool_id: &str,
    source: &str,
    user_name: &str,
    client_id: Option<&str>,
    attributes: &BTreeMap<String, String>,
    validation_data: Option<Value>,
    client_metadata: Option<Value>,
) -> Result<SignUpAnswer, CognitoError> {
    let request = json!({
        "userAttributes": attributes,
        "validationData": validation_data,
        "clientMetadata": client_metadata.unwrap_or_else(|| json!({})),
    });
    let event = Event { trigger: Trigger::PreSignUp, source, pool_id, user_name, client_id, request };
    let Some(response) = call(svc, settings, event).await? else { return Ok(SignUpAnswer::default()) };
    Ok(SignUpAnswer {
        auto_confirm: flag(&response, "autoConfirmUser")?,
        auto_verify_email: flag(&response, "autoVerifyEmail")?,
        auto_verify_phone: flag(&response, "autoVerifyPhone")?,
    })
}

/// A trigger whose answer changes nothing (PostConfirmation, PreAuthentication,
/// PostAuthentication): only its refusal or failure counts.
///
/// # Errors
/// The trigger's refusal or failure.
pub async fn notify(
    svc: &Services,
    settings: &PoolSettings,
    trigger: Trigger,
    source: &str,
    user: &UserRecord,
    client_id: Option<&str>,
    extra: Value,
) -> Result<(), CognitoError> {
    let mut request = json!({ "userAttributes": user_attributes(user), "clientMetadata": {} });
    if let (Some(r), Value::Object(extra)) = (request.as_object_mut(), extra) {
        r.extend(extra);
    }
    let event =
        Event { trigger, source, pool_id: &user.pool_id, user_name: &user.username, client_id, request };
    call(svc, settings, event).await.map(|_| ())
}

/// CustomMessage: the message for `code` in the pool's own words, if its trigger gives them for this
/// channel: `(subject for email, text)`. The text must hold the code placeholder `{####}` (and, for
/// invitations, `{username}`); the placeholders are then filled.
///
/// # Errors
/// The trigger's refusal or failure; `InvalidLambdaResponseException` for a text without the code.
#[allow(clippy::too_many_arguments)]
pub async fn custom_message(
    svc: &Services,
    settings: &PoolSettings,
    user: &UserRecord,
    client_id: Option<&str>,
    source: &str,
    channel: &str,
    code: &str,
    invitation: bool,
) -> Result<Option<(Option<String>, String)>, CognitoError> {
    let mut request = json!({
        "userAttributes": user_attributes(user),
        "codeParameter": "{####}",
        "linkParameter": "{##Click Here##}",
        "clientMetadata": {},
    });
    if invitation {
        request["usernameParameter"] = json!("{username}");
    }
    let event = Event {
        trigger: Trigger::CustomMessage,
        source,
        pool_id: &user.pool_id,
        user_name: &user.username,
        client_id,
        request,
    };
    let Some(response) = call(svc, settings, event).await? else { return Ok(None) };
    let text_of = |member: &str| match response.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid_output()),
    };
    let (text, limit) =
        if channel == "EMAIL" { (text_of("emailMessage")?, 20_000) } else { (text_of("smsMessage")?, 1600) };
    let Some(text) = text else { return Ok(None) };
    if !text.contains("{####}") || (invitation && !text.contains("{username}")) || text.len() > limit {
        return Err(invalid_output());
    }
    let subject = if channel == "EMAIL" { text_of("emailSubject")? } else { None };
    let filled = text.replace("{####}", code).replace("{username}", &user.username);
    Ok(Some((subject, filled)))
}

/// UserMigration's answer: the user to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// Their attributes.
    pub attributes: BTreeMap<String, String>,
    /// `CONFIRMED`, or `RESET_REQUIRED`.
    pub status: UserStatus,
    /// `messageAction: SUPPRESS`: send no welcome message.
    pub suppress: bool,
}

/// UserMigration (`UserMigration_Authentication` with the password, `UserMigration_ForgotPassword`
/// without): the user to create, or `None` when the old system does not know them either.
///
/// # Errors
/// The trigger's refusal or failure; `InvalidLambdaResponseException` for unusable attributes.
pub async fn migrate(
    svc: &Services,
    settings: &PoolSettings,
    pool_id: &str,
    source: &str,
    username: &str,
    client_id: Option<&str>,
    password: Option<&str>,
) -> Result<Option<Migrated>, CognitoError> {
    let mut request = json!({ "validationData": null, "clientMetadata": {} });
    if let Some(password) = password {
        request["password"] = json!(password);
    }
    let event =
        Event { trigger: Trigger::UserMigration, source, pool_id, user_name: username, client_id, request };
    let Some(response) = call(svc, settings, event).await? else { return Ok(None) };
    let attributes: BTreeMap<String, String> = match response.get("userAttributes") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(map)) if map.is_empty() => return Ok(None),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Bool(b) => Ok((k.clone(), b.to_string())),
                _ => Err(invalid_output()),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid_output()),
    };
    let status = match response.get("finalUserStatus").and_then(Value::as_str) {
        None | Some("CONFIRMED") => UserStatus::Confirmed,
        Some("RESET_REQUIRED") => UserStatus::ResetRequired,
        Some(_) => return Err(invalid_output()),
    };
    let suppress = response.get("messageAction").and_then(Value::as_str) == Some("SUPPRESS");
    Ok(Some(Migrated { attributes, status, suppress }))
}

fn claims(value: Option<&Value>, strings_only: bool) -> Result<Map<String, Value>, CognitoError> {
    match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => {
            if strings_only && map.values().any(|v| !v.is_string()) {
                return Err(invalid_output());
            }
            Ok(map.clone())
        }
        Some(_) => Err(invalid_output()),
    }
}

fn groups(details: Option<&Value>, o: &mut Overrides) -> Result<(), CognitoError> {
    let Some(details) = details.filter(|d| !d.is_null()) else { return Ok(()) };
    if details.get("groupsToOverride").is_some_and(|g| !g.is_null()) {
        o.groups = Some(strings(details.get("groupsToOverride"))?);
    }
    if details.get("iamRolesToOverride").is_some_and(|g| !g.is_null()) {
        o.roles = Some(strings(details.get("iamRolesToOverride"))?);
    }
    o.preferred_role = match details.get("preferredRole") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid_output()),
    };
    Ok(())
}

/// PreTokenGeneration (V1_0, V2_0, V3_0): what the pool's trigger changes in the tokens about to be
/// issued. `source` is the `TokenGeneration_*` source.
///
/// # Errors
/// The trigger's refusal or failure; `InvalidLambdaResponseException` for an unusable answer.
pub async fn pre_token(
    svc: &Services,
    settings: &PoolSettings,
    user: &UserRecord,
    client_id: &str,
    source: &str,
    groups_now: &[String],
    scopes: &[String],
) -> Result<Option<Overrides>, CognitoError> {
    let Some(version) = token_version(settings) else { return Ok(None) };
    let mut request = json!({
        "userAttributes": user_attributes(user),
        "groupConfiguration": { "groupsToOverride": groups_now, "iamRolesToOverride": [], "preferredRole": null },
        "clientMetadata": {},
    });
    if version != "1" {
        request["scopes"] = json!(scopes);
    }
    let event = Event {
        trigger: Trigger::PreTokenGeneration,
        source,
        pool_id: &user.pool_id,
        user_name: &user.username,
        client_id: Some(client_id),
        request,
    };
    let Some(response) = call(svc, settings, event).await? else { return Ok(None) };
    let mut o = Overrides::default();
    if version == "1" {
        let Some(details) = response.get("claimsOverrideDetails").filter(|d| !d.is_null()) else {
            return Ok(None);
        };
        o.id_add = claims(details.get("claimsToAddOrOverride"), true)?;
        o.id_suppress = strings(details.get("claimsToSuppress"))?;
        groups(details.get("groupOverrideDetails"), &mut o)?;
        return Ok(Some(o));
    }
    let Some(details) = response.get("claimsAndScopeOverrideDetails").filter(|d| !d.is_null()) else {
        return Ok(None);
    };
    if let Some(id) = details.get("idTokenGeneration").filter(|d| !d.is_null()) {
        o.id_add = claims(id.get("claimsToAddOrOverride"), false)?;
        o.id_suppress = strings(id.get("claimsToSuppress"))?;
    }
    if let Some(access) = details.get("accessTokenGeneration").filter(|d| !d.is_null()) {
        o.access_add = claims(access.get("claimsToAddOrOverride"), false)?;
        o.access_suppress = strings(access.get("claimsToSuppress"))?;
        o.scopes_add = strings(access.get("scopesToAdd"))?;
        o.scopes_suppress = strings(access.get("scopesToSuppress"))?;
    }
    groups(details.get("groupOverrideDetails"), &mut o)?;
    Ok(Some(o))
}
