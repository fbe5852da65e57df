//! Users, as administrators manage them: AdminCreateUser, AdminGetUser, AdminDeleteUser,
//! AdminEnableUser / AdminDisableUser, AdminSetUserPassword, AdminResetUserPassword,
//! AdminConfirmSignUp, AdminUpdateUserAttributes, AdminDeleteUserAttributes.

use std::collections::BTreeMap;

use cognate_proto::{CognitoError, Exception};
use serde_json::{Value, json};

use super::{Request, Services, internal, now_ms};
use crate::domain::attributes::{Writer, check_write};
use crate::domain::pools::{PoolSettings, load as load_pool};
use crate::domain::schema::{check_required, normalize_booleans};
use crate::domain::users::{Writing, alias_exists, user_conflict};
use crate::domain::users::{
    aliases, check_username, resolve, seal_verifier, user_not_found, user_type, username_key,
};
use crate::domain::validate::one_of;
use crate::store::{Message, PoolRecord, StoreError, Taken, UserRecord, UserStatus};

fn map_user_conflict(settings: &PoolSettings, err: StoreError) -> CognitoError {
    user_conflict(&settings.username_attributes, Writing::Admin, err)
}

/// `AliasExistsException`: another user holds `kind` (`email`, `phone_number`, ...) as an alias.
fn fill(template: Option<&String>, default: &str, username: &str, password: &str) -> String {
    template.map_or(default, String::as_str).replace("{username}", username).replace("{####}", password)
}

/// The invitation messages for the mediums asked for.
fn invitations(
    pool: &PoolRecord,
    settings: &PoolSettings,
    user: &UserRecord,
    password: &str,
    mediums: &[String],
    explicit: bool,
) -> Result<Vec<Message>, CognitoError> {
    let template = settings.admin_create_user_config.invite_message_template.clone().unwrap_or_default();
    let default = "Your username is {username} and temporary password is {####}.";
    let mut out = Vec::new();
    for medium in mediums {
        let (channel, attr, body, subject) = match medium.as_str() {
            "EMAIL" => ("EMAIL", "email", template.email_message.as_ref(), template.email_subject.clone()),
            _ => ("SMS", "phone_number", template.sms_message.as_ref(), None),
        };
        let Some(destination) = user.attributes.get(attr) else {
            if !explicit {
                continue; // the default medium (SMS); a user without a phone number just gets no text
            }
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                format!("User has no attribute matching desired delivery mediums: {medium} needs {attr}."),
            ));
        };
        out.push(Message {
            id: uuid::Uuid::new_v4().to_string(),
            pool_id: pool.id.clone(),
            channel: channel.to_owned(),
            destination: destination.clone(),
            subject: subject.unwrap_or_else(|| "Your temporary password".to_owned()),
            body: fill(body, default, &user.username, password),
            created_ms: now_ms(),
            delivered_ms: None,
        });
    }
    Ok(out)
}

/// The invitations in the words of the pool's custom message trigger, when it has one.
async fn custom_invitations(
    svc: &Services,
    settings: &PoolSettings,
    user: &UserRecord,
    mut messages: Vec<Message>,
    password: &str,
) -> Result<Vec<Message>, CognitoError> {
    for message in &mut messages {
        let source = "CustomMessage_AdminCreateUser";
        let custom = crate::triggers::events::custom_message(
            svc,
            settings,
            user,
            None,
            source,
            &message.channel,
            password,
            true,
        )
        .await?;
        if let Some((subject, body)) = custom {
            if let Some(subject) = subject {
                message.subject = subject;
            }
            message.body = body;
        }
    }
    Ok(messages)
}

/// `email_verified` / `phone_number_verified` only make sense beside the attribute they verify.
fn check_verified_flags(attrs: &BTreeMap<String, String>) -> Result<(), CognitoError> {
    for (name, flag) in [("email", "email_verified"), ("phone_number", "phone_number_verified")] {
        if attrs.get(flag).is_some_and(|v| v == "true") && !attrs.contains_key(name) {
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                format!("{flag} is true but the user has no {name}."),
            ));
        }
    }
    Ok(())
}

/// Checks a `Username` member's shape.
fn username_member(req: &Request) -> Result<String, CognitoError> {
    let username = req.string("Username")?;
    check_username(&username)?;
    Ok(username)
}

/// AdminCreateUser.
pub async fn admin_create(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, settings) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let given = username_member(&req)?;
    let mut attrs = req.attributes("UserAttributes")?;
    normalize_booleans(&settings.schema, &mut attrs);
    let action = req.opt_string("MessageAction")?;
    if let Some(a) = &action {
        one_of("MessageAction", a, &["RESEND", "SUPPRESS"])?;
    }
    let explicit = req.get("DesiredDeliveryMediums").is_some();
    let mediums: Vec<String> = req.opt("DesiredDeliveryMediums")?.unwrap_or_else(|| vec!["SMS".to_owned()]);
    for m in &mediums {
        one_of("DesiredDeliveryMediums", m, &["SMS", "EMAIL"])?;
    }
    let password = match req.opt_string("TemporaryPassword")? {
        Some(p) => {
            settings.password_policy.check(&p)?;
            p
        }
        None => settings.password_policy.temporary_password(),
    };
    let send = |user: &UserRecord| -> Result<Vec<Message>, CognitoError> {
        if action.as_deref() == Some("SUPPRESS") {
            Ok(Vec::new())
        } else {
            invitations(&pool, &settings, user, &password, &mediums, explicit)
        }
    };

    if action.as_deref() == Some("RESEND") {
        let mut user = resolve(svc, &pool, &settings, &given).await?;
        if user.status != UserStatus::ForceChangePassword {
            return Err(CognitoError::new(
                Exception::UnsupportedUserState,
                format!("Resend not possible. {} status is not FORCE_CHANGE_PASSWORD", user.username),
            ));
        }
        user.verifier = Some(seal_verifier(svc, &pool, &user, &password)?);
        user.modified_ms = now_ms();
        svc.store
            .update_user(
                &user,
                &custom_invitations(svc, &settings, &user, send(&user)?, &password).await?,
                &[],
            )
            .await
            .map_err(|e| map_user_conflict(&settings, e))?;
        return Ok(json!({ "User": user_type(&user, "Attributes") }));
    }

    let sub = crate::ids::sub();
    let aliased = |kind: &str| settings.alias_attributes.iter().any(|a| a == kind);
    if aliased("email") && crate::domain::schema::is_email(&given) {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            "Username cannot be of email format, since user pool is configured for email alias.",
        ));
    }
    if aliased("phone_number") && crate::domain::schema::is_phone(&given) {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            "Username cannot be of phone number format, since user pool is configured for phone number alias.",
        ));
    }
    let username = if settings.username_attributes.is_empty() {
        given
    } else {
        // The typed username is an email or phone number; the real username is the sub.
        let kind = if crate::domain::schema::is_email(&given)
            && settings.username_attributes.iter().any(|a| a == "email")
        {
            "email"
        } else if crate::domain::schema::is_phone(&given)
            && settings.username_attributes.iter().any(|a| a == "phone_number")
        {
            "phone_number"
        } else {
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                "Username should be either an email or a phone number.",
            ));
        };
        attrs.entry(kind.to_owned()).or_insert(given);
        sub.clone()
    };
    check_write(&settings.schema, Writer::Admin, &BTreeMap::new(), &attrs)?;
    check_verified_flags(&attrs)?;
    attrs.insert("sub".to_owned(), sub.clone());
    check_required(&settings.schema, &attrs)?;
    let now = now_ms();
    let mut user = UserRecord {
        pool_id: pool.id.clone(),
        key: username_key(&settings, &username),
        username,
        sub,
        status: UserStatus::ForceChangePassword,
        enabled: true,
        aliases: aliases(&settings, &attrs),
        attributes: attrs,
        verifier: None,
        created_ms: now,
        modified_ms: now,
    };
    user.verifier = Some(seal_verifier(svc, &pool, &user, &password)?);
    // PreSignUp may refuse; its auto-confirm and auto-verify answers do not apply to AdminCreateUser.
    crate::triggers::events::pre_sign_up(
        svc,
        &settings,
        &pool.id,
        "PreSignUp_AdminCreateUser",
        &user.username,
        None,
        &user.attributes,
        req.get("ValidationData").cloned(),
        req.get("ClientMetadata").cloned(),
    )
    .await?;
    let messages = custom_invitations(svc, &settings, &user, send(&user)?, &password).await?;
    let force = req.opt_bool("ForceAliasCreation")?.unwrap_or(false);
    match svc.store.insert_user(&user, &messages, &[]).await {
        Err(StoreError::Conflict(Taken::Alias(kind))) if force => {
            take_alias(svc, &pool, &settings, &kind, &user).await?;
            svc.store
                .insert_user(&user, &messages, &[])
                .await
                .map_err(|e| map_user_conflict(&settings, e))?;
        }
        other => other.map_err(|e| map_user_conflict(&settings, e))?,
    }
    Ok(json!({ "User": user_type(&user, "Attributes") }))
}

/// ForceAliasCreation: the alias moves to the new user; the old holder's attribute becomes unverified.
async fn take_alias(
    svc: &Services,
    pool: &PoolRecord,
    settings: &PoolSettings,
    kind: &str,
    new: &UserRecord,
) -> Result<(), CognitoError> {
    let Some((_, value)) = new.aliases.iter().find(|(k, _)| k == kind) else {
        return Ok(());
    };
    let Some(key) = svc.store.user_by_alias(&pool.id, kind, value).await.map_err(internal)? else {
        return Ok(());
    };
    let Some(mut holder) = svc.store.user(&pool.id, &key).await.map_err(internal)? else {
        return Ok(());
    };
    holder.attributes.insert(format!("{kind}_verified"), "false".to_owned());
    holder.aliases = aliases(settings, &holder.attributes);
    holder.modified_ms = now_ms();
    svc.store.update_user(&holder, &[], &[]).await.map_err(|e| map_user_conflict(settings, e))
}

async fn load_user(
    svc: &Services,
    req: &Request,
) -> Result<(PoolRecord, PoolSettings, UserRecord), CognitoError> {
    let (pool_id, username) = (req.string("UserPoolId")?, req.string("Username")?);
    let (pool, settings) = load_pool(svc, &pool_id).await?;
    let user = resolve(svc, &pool, &settings, &username).await?;
    Ok((pool, settings, user))
}

async fn save(svc: &Services, settings: &PoolSettings, user: &mut UserRecord) -> Result<Value, CognitoError> {
    user.modified_ms = now_ms();
    svc.store.update_user(user, &[], &[]).await.map_err(|e| map_user_conflict(settings, e))?;
    Ok(json!({}))
}

/// AdminGetUser.
pub async fn admin_get(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (_, _, user) = load_user(svc, &req).await?;
    let mut out = user_type(&user, "UserAttributes");
    let (mfa_list, preferred) = crate::domain::mfa::user_settings(svc, &user).await?;
    out["UserMFASettingList"] = json!(mfa_list);
    if let Some(p) = preferred {
        out["PreferredMfaSetting"] = json!(p);
    }
    Ok(out)
}

/// AdminDeleteUser.
pub async fn admin_delete(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _, user) = load_user(svc, &req).await?;
    svc.store.delete_user(&pool.id, &user.key).await.map_err(|e| match e {
        StoreError::NotFound => user_not_found(),
        other => internal(other),
    })?;
    Ok(json!({}))
}

/// AdminEnableUser / AdminDisableUser.
pub async fn admin_set_enabled(svc: &Services, req: Request, enabled: bool) -> Result<Value, CognitoError> {
    let (_, settings, mut user) = load_user(svc, &req).await?;
    user.enabled = enabled;
    save(svc, &settings, &mut user).await
}

/// AdminSetUserPassword: permanent (CONFIRMED) or temporary (FORCE_CHANGE_PASSWORD).
pub async fn admin_set_password(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, settings, mut user) = load_user(svc, &req).await?;
    let password = req.string("Password")?;
    settings.password_policy.check(&password)?;
    let permanent = req.opt_bool("Permanent")?.unwrap_or(false);
    user.verifier = Some(seal_verifier(svc, &pool, &user, &password)?);
    user.status = if permanent { UserStatus::Confirmed } else { UserStatus::ForceChangePassword };
    save(svc, &settings, &mut user).await
}

/// AdminResetUserPassword: the password stops working, and a reset code goes to the user's verified
/// email or phone number (as the pool's account-recovery setting orders them).
pub async fn admin_reset_password(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (_, settings, mut user) = load_user(svc, &req).await?;
    if !user.enabled {
        return Err(CognitoError::new(Exception::NotAuthorized, "User is disabled."));
    }
    let Some((channel, destination)) = crate::domain::codes::recovery_destination(&settings, &user) else {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        ));
    };
    let code = crate::domain::codes::six_digits();
    let record = crate::domain::codes::record(svc, &user, "reset", &code, crate::domain::codes::RESET_TTL_MS);
    let body = format!("Your password reset code is {code}");
    let message =
        crate::domain::codes::message(&user, channel, destination, "Your password reset code", body);
    user.status = UserStatus::ResetRequired;
    user.verifier = None;
    user.modified_ms = now_ms();
    svc.store.update_user(&user, &[message], &[record]).await.map_err(|e| map_user_conflict(&settings, e))?;
    Ok(json!({}))
}

/// AdminConfirmSignUp: only an UNCONFIRMED user can be confirmed.
pub async fn admin_confirm_sign_up(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (_, settings, mut user) = load_user(svc, &req).await?;
    if user.status != UserStatus::Unconfirmed {
        return Err(CognitoError::new(
            Exception::NotAuthorized,
            format!("User cannot be confirmed. Current status is {}", user.status),
        ));
    }
    user.status = UserStatus::Confirmed;
    let answer = save(svc, &settings, &mut user).await?;
    let post = crate::triggers::Trigger::PostConfirmation;
    crate::triggers::events::notify(
        svc,
        &settings,
        post,
        "PostConfirmation_ConfirmSignUp",
        &user,
        None,
        json!({}),
    )
    .await?;
    Ok(answer)
}

/// AdminUpdateUserAttributes: a changed email or phone number becomes unverified unless the same
/// request marks it verified.
pub async fn admin_update_attributes(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (_, settings, mut user) = load_user(svc, &req).await?;
    req.require("UserAttributes")?;
    let mut changes = req.attributes("UserAttributes")?;
    normalize_booleans(&settings.schema, &mut changes);
    // A blank value deletes the attribute.
    let blanks: Vec<String> = changes.iter().filter(|(_, v)| v.is_empty()).map(|(k, _)| k.clone()).collect();
    changes.retain(|_, v| !v.is_empty());
    check_write(&settings.schema, Writer::Admin, &user.attributes, &changes)?;
    for name in &blanks {
        if settings.schema.iter().any(|s| &s.name == name && s.required) || name == "sub" {
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                format!("Cannot delete a required attribute: {name}"),
            ));
        }
    }
    for (name, verified) in [("email", "email_verified"), ("phone_number", "phone_number_verified")] {
        let changed = changes.get(name).is_some_and(|v| user.attributes.get(name) != Some(v));
        if changed && !changes.contains_key(verified) {
            user.attributes.insert(verified.to_owned(), "false".to_owned());
        }
    }
    user.attributes.extend(changes);
    for name in &blanks {
        user.attributes.remove(name);
    }
    check_verified_flags(&user.attributes)?;
    user.aliases = aliases(&settings, &user.attributes);
    user.modified_ms = now_ms();
    // Taking another user's email or phone number is AliasExists here, even where it is the username.
    svc.store.update_user(&user, &[], &[]).await.map_err(|e| match e {
        StoreError::Conflict(Taken::Alias(kind)) => alias_exists(&kind),
        other => map_user_conflict(&settings, other),
    })?;
    Ok(json!({}))
}

/// AdminDeleteUserAttributes: required attributes and `sub` stay.
pub async fn admin_delete_attributes(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (_, settings, mut user) = load_user(svc, &req).await?;
    req.require("UserAttributeNames")?;
    let names: Vec<String> = req.opt("UserAttributeNames")?.unwrap_or_default();
    let unknown: String = names
        .iter()
        .filter(|name| !settings.schema.iter().any(|s| &s.name == *name))
        .map(|name| format!("user.{name}: Attribute does not exist in the schema.\n"))
        .collect();
    if !unknown.is_empty() {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            format!("Invalid user attributes: {unknown}"),
        ));
    }
    if let Some(name) = names
        .iter()
        .find(|n| settings.schema.iter().any(|s| &s.name == *n && (s.required || s.name == "sub")))
    {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            format!("Cannot delete a required attribute: {name}"),
        ));
    }
    for name in &names {
        user.attributes.remove(name);
        if name == "email" || name == "phone_number" {
            user.attributes.remove(&format!("{name}_verified"));
        }
    }
    user.aliases = aliases(&settings, &user.attributes);
    save(svc, &settings, &mut user).await
}
