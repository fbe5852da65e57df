//! What users do for themselves: SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
//! ConfirmForgotPassword, ChangePassword, UpdateUserAttributes, GetUserAttributeVerificationCode,
//! VerifyUserAttribute, DeleteUser, DeleteUserAttributes.

use std::collections::BTreeMap;

use cognate_proto::{CognitoError, Exception};
use serde_json::{Value, json};

use super::auth::context;
use super::session::{SignedIn, signed_in};
use super::{Request, Services, internal, now_ms};
use crate::domain::attributes::{Writer, check_write};
use crate::domain::codes::{self as code, RESET_TTL_MS, VERIFY_TTL_MS};
use crate::domain::schema::{check_attributes, check_required, is_email, is_phone, normalize_booleans};
use crate::domain::users::{Writing, user_conflict};
use crate::domain::users::{
    aliases, check_username, open_verifier, resolve, seal_verifier, user_not_found, username_key,
};
use crate::signin::Context;
use crate::store::{CodeRecord, Message, StoreError, Taken, UserRecord, UserStatus};
use crate::triggers::events::{custom_message, notify};

/// A store failure while a user writes their own account, as Cognito answers it.
fn conflict(err: StoreError) -> CognitoError {
    user_conflict(&[], Writing::SelfService, err)
}

/// The message and code for verifying `attribute` (`email` / `phone_number`) of `user`, in the
/// words of the pool's custom message trigger (`source`) when it has one.
#[allow(clippy::too_many_arguments)]
async fn verification(
    svc: &Services,
    settings: &crate::domain::pools::PoolSettings,
    client: Option<&str>,
    user: &UserRecord,
    attribute: &str,
    purpose: &str,
    subject: &str,
    source: &str,
) -> Result<Option<(Message, CodeRecord, Value)>, CognitoError> {
    let Some(destination) = user.attributes.get(attribute).cloned() else { return Ok(None) };
    let channel = if attribute == "email" { "EMAIL" } else { "SMS" };
    let code = code::six_digits();
    let record = code::record(svc, user, purpose, &code, VERIFY_TTL_MS);
    let details = code::delivery(channel, &destination);
    let custom = custom_message(svc, settings, user, client, source, channel, &code, false).await?;
    let (subject, body) = match custom {
        Some((custom_subject, body)) => (custom_subject.unwrap_or_else(|| subject.to_owned()), body),
        None => (subject.to_owned(), format!("Your verification code is {code}")),
    };
    let message = code::message(user, channel, destination, &subject, body);
    Ok(Some((message, record, details)))
}

/// `ValidationData` as the trigger sees it: an object of name → value.
fn attributes_map(list: &Value) -> Result<Value, CognitoError> {
    let pairs = list.as_array().ok_or_else(|| {
        CognitoError::new(Exception::Serialization, "Member ValidationData must be a list.")
    })?;
    let mut out = serde_json::Map::new();
    for pair in pairs {
        if let (Some(name), Some(value)) =
            (pair.get("Name").and_then(Value::as_str), pair.get("Value").and_then(Value::as_str))
        {
            out.insert(name.to_owned(), json!(value));
        }
    }
    Ok(Value::Object(out))
}

/// The attribute a sign-up code goes to: the auto-verified phone number, else the email.
fn sign_up_channel(ctx: &Context, user: &UserRecord) -> Option<&'static str> {
    let auto = |a: &str| {
        ctx.settings.auto_verified_attributes.iter().any(|x| x == a) && user.attributes.contains_key(a)
    };
    if auto("phone_number") {
        Some("phone_number")
    } else if auto("email") {
        Some("email")
    } else {
        None
    }
}

/// SignUp.
pub async fn sign_up(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let ctx = context(svc, &req, false).await?;
    let given = req.string("Username")?;
    let password = req.string("Password")?;
    ctx.check_secret(svc, req.opt_string("SecretHash")?.as_deref(), &given)?;
    if ctx.settings.admin_create_user_config.allow_admin_create_user_only {
        return Err(CognitoError::new(
            Exception::NotAuthorized,
            "SignUp is not permitted for this user pool",
        ));
    }
    ctx.settings.password_policy.check(&password)?;
    let mut attrs = req.attributes("UserAttributes")?;
    check_write(&ctx.settings.schema, ctx.writer(), &BTreeMap::new(), &attrs)?;
    normalize_booleans(&ctx.settings.schema, &mut attrs);
    let sub = crate::ids::sub();
    check_username(&given)?;
    let username = if ctx.settings.username_attributes.is_empty() {
        given.clone()
    } else {
        let kind = if is_email(&given) && ctx.settings.username_attributes.iter().any(|a| a == "email") {
            "email"
        } else if is_phone(&given) && ctx.settings.username_attributes.iter().any(|a| a == "phone_number") {
            "phone_number"
        } else {
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                "Username should be either an email or a phone number.",
            ));
        };
        attrs.insert(kind.to_owned(), given.clone());
        sub.clone()
    };
    check_attributes(&ctx.settings.schema, &attrs)?;
    attrs.insert("sub".to_owned(), sub.clone());
    check_required(&ctx.settings.schema, &attrs)?;
    let now = now_ms();
    let mut user = UserRecord {
        pool_id: ctx.pool.id.clone(),
        key: username_key(&ctx.settings, &username),
        username,
        sub: sub.clone(),
        status: UserStatus::Unconfirmed,
        enabled: true,
        aliases: aliases(&ctx.settings, &attrs),
        attributes: attrs,
        verifier: None,
        created_ms: now,
        modified_ms: now,
    };
    user.verifier = Some(seal_verifier(svc, &ctx.pool, &user, &password)?);
    let answer = crate::triggers::events::pre_sign_up(
        svc,
        &ctx.settings,
        &ctx.pool.id,
        "PreSignUp_SignUp",
        &user.username,
        Some(&ctx.client.id),
        &user.attributes,
        req.get("ValidationData").map(attributes_map).transpose()?,
        req.get("ClientMetadata").cloned(),
    )
    .await?;
    for (wanted, attr) in [(answer.auto_verify_email, "email"), (answer.auto_verify_phone, "phone_number")] {
        if wanted && user.attributes.contains_key(attr) {
            user.attributes.insert(format!("{attr}_verified"), "true".to_owned());
        }
    }
    if answer.auto_confirm {
        user.status = UserStatus::Confirmed;
        user.aliases = aliases(&ctx.settings, &user.attributes);
    }
    let sent = match sign_up_channel(&ctx, &user).filter(|_| !answer.auto_confirm) {
        Some(attr) => {
            let client = Some(ctx.client.id.as_str());
            let (subject, source) = ("Your verification code", "CustomMessage_SignUp");
            verification(svc, &ctx.settings, client, &user, attr, "sign-up", subject, source).await?
        }
        None => None,
    };
    let (messages, codes, details) = match sent {
        Some((m, c, d)) => (vec![m], vec![c], Some(d)),
        None => (Vec::new(), Vec::new(), None),
    };
    svc.store.insert_user(&user, &messages, &codes).await.map_err(|e| match e {
        // The email (or phone number) the user typed as the username is taken: the username is.
        StoreError::Conflict(Taken::Alias(kind)) if !ctx.settings.username_attributes.is_empty() => {
            CognitoError::new(
                Exception::UsernameExists,
                format!("An account with the given {kind} already exists."),
            )
        }
        other => conflict(other),
    })?;
    if answer.auto_confirm {
        let post = crate::triggers::Trigger::PostConfirmation;
        let client = Some(ctx.client.id.as_str());
        notify(svc, &ctx.settings, post, "PostConfirmation_ConfirmSignUp", &user, client, json!({})).await?;
    }
    let mut out = json!({ "UserConfirmed": answer.auto_confirm, "UserSub": sub });
    if let Some(d) = details {
        out["CodeDeliveryDetails"] = d;
    }
    Ok(out)
}

async fn user_for(svc: &Services, ctx: &Context, username: &str) -> Result<Option<UserRecord>, CognitoError> {
    match resolve(svc, &ctx.pool, &ctx.settings, username).await {
        Ok(u) => Ok(Some(u)),
        Err(e) if e.kind == Exception::UserNotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// ConfirmSignUp.
pub async fn confirm_sign_up(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let ctx = context(svc, &req, false).await?;
    let username = req.string("Username")?;
    let code_given = req.string("ConfirmationCode")?;
    ctx.check_secret(svc, req.opt_string("SecretHash")?.as_deref(), &username)?;
    let mut user = user_for(svc, &ctx, &username).await?.ok_or_else(|| {
        if ctx.hides_users() {
            CognitoError::new(
                Exception::CodeMismatch,
                "Invalid verification code provided, please try again.",
            )
        } else {
            user_not_found()
        }
    })?;
    if user.status != UserStatus::Unconfirmed {
        return Err(CognitoError::new(
            Exception::NotAuthorized,
            format!("User cannot be confirmed. Current status is {}", user.status),
        ));
    }
    code::check(svc, &user, "sign-up", &code_given).await?;
    if let Some(attr) = sign_up_channel(&ctx, &user) {
        user.attributes.insert(format!("{attr}_verified"), "true".to_owned());
    }
    user.status = UserStatus::Confirmed;
    user.aliases = aliases(&ctx.settings, &user.attributes);
    user.modified_ms = now_ms();
    svc.store.update_user(&user, &[], &[]).await.map_err(conflict)?;
    let post = crate::triggers::Trigger::PostConfirmation;
    let client = Some(ctx.client.id.as_str());
    notify(svc, &ctx.settings, post, "PostConfirmation_ConfirmSignUp", &user, client, json!({})).await?;
    Ok(json!({}))
}

/// The context and user of a request for a code (ResendConfirmationCode, ForgotPassword); for an
/// unknown user of a client that hides which users exist, the simulated answer to give instead.
/// With `migrate`, an unknown user is first asked of the pool's user migration trigger.
async fn code_request(
    svc: &Services,
    req: &Request,
    migrate: bool,
) -> Result<(Context, Result<UserRecord, Value>), CognitoError> {
    let ctx = context(svc, req, false).await?;
    let username = req.string("Username")?;
    ctx.check_secret(svc, req.opt_string("SecretHash")?.as_deref(), &username)?;
    let mut found = user_for(svc, &ctx, &username).await?;
    if found.is_none() && migrate {
        found = crate::signin::migrate(svc, &ctx, &username, None, "UserMigration_ForgotPassword").await?;
    }
    match found {
        Some(user) => Ok((ctx, Ok(user))),
        None if ctx.hides_users() => {
            let address = code::stand_in_address(svc, &ctx.pool.id, &username);
            let simulated = json!({ "CodeDeliveryDetails": code::delivery("EMAIL", &address) });
            Ok((ctx, Err(simulated)))
        }
        None => Err(user_not_found()),
    }
}

/// ResendConfirmationCode.
pub async fn resend_confirmation_code(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (ctx, user) = match code_request(svc, &req, false).await? {
        (ctx, Ok(user)) => (ctx, user),
        (_, Err(simulated)) => return Ok(simulated),
    };
    if user.status != UserStatus::Unconfirmed {
        return Err(CognitoError::new(Exception::InvalidParameter, "User is already confirmed."));
    }
    let sent = match sign_up_channel(&ctx, &user) {
        Some(attr) => {
            let client = Some(ctx.client.id.as_str());
            let (subject, source) = ("Your verification code", "CustomMessage_ResendCode");
            verification(svc, &ctx.settings, client, &user, attr, "sign-up", subject, source).await?
        }
        None => None,
    };
    let Some((message, record, details)) = sent else {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            "No verified destination to send a code to.",
        ));
    };
    code::check_send_limit(svc, &user.pool_id, &message.destination).await?;
    svc.store.update_user(&user, &[message], &[record]).await.map_err(conflict)?;
    Ok(json!({ "CodeDeliveryDetails": details }))
}

/// ForgotPassword.
pub async fn forgot_password(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let asked = code_request(svc, &req, true).await.map_err(|e| match e.kind {
        Exception::ResourceNotFound => {
            CognitoError::new(Exception::ResourceNotFound, "Username/client id combination not found.")
        }
        _ => e,
    })?;
    let (ctx, user) = match asked {
        (ctx, _) if code::admin_only_recovery(&ctx.settings) => {
            return Err(CognitoError::new(
                Exception::NotAuthorized,
                "Contact administrator to reset password.",
            ));
        }
        (ctx, Ok(user)) => (ctx, user),
        (_, Err(simulated)) => return Ok(simulated),
    };
    if !user.enabled {
        return Err(CognitoError::new(Exception::NotAuthorized, "User is disabled."));
    }
    let Some((channel, destination)) = code::recovery_destination(&ctx.settings, &user) else {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        ));
    };
    let code_value = code::six_digits();
    let record = code::record(svc, &user, "reset", &code_value, RESET_TTL_MS);
    let details = code::delivery(channel, &destination);
    let client = Some(ctx.client.id.as_str());
    let source = "CustomMessage_ForgotPassword";
    let (subject, body) =
        match custom_message(svc, &ctx.settings, &user, client, source, channel, &code_value, false).await? {
            Some((subject, body)) => (subject.unwrap_or_else(|| "Your password reset code".to_owned()), body),
            None => {
                ("Your password reset code".to_owned(), format!("Your password reset code is {code_value}"))
            }
        };
    let message = code::message(&user, channel, destination, &subject, body);
    code::check_send_limit(svc, &user.pool_id, &message.destination).await?;
    svc.store.update_user(&user, &[message], &[record]).await.map_err(conflict)?;
    Ok(json!({ "CodeDeliveryDetails": details }))
}

/// ConfirmForgotPassword.
pub async fn confirm_forgot_password(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let ctx = context(svc, &req, false).await?;
    let username = req.string("Username")?;
    let code_given = req.string("ConfirmationCode")?;
    let password = req.string("Password")?;
    ctx.check_secret(svc, req.opt_string("SecretHash")?.as_deref(), &username)?;
    let mismatch = || {
        CognitoError::new(Exception::CodeMismatch, "Invalid verification code provided, please try again.")
    };
    let mut user = user_for(svc, &ctx, &username)
        .await?
        .ok_or_else(|| if ctx.hides_users() { mismatch() } else { user_not_found() })?;
    ctx.settings.password_policy.check(&password)?;
    code::check(svc, &user, "reset", &code_given).await?;
    user.verifier = Some(seal_verifier(svc, &ctx.pool, &user, &password)?);
    if user.status == UserStatus::ResetRequired || user.status == UserStatus::ForceChangePassword {
        user.status = UserStatus::Confirmed;
    }
    user.modified_ms = now_ms();
    svc.store.update_user(&user, &[], &[]).await.map_err(conflict)?;
    let post = crate::triggers::Trigger::PostConfirmation;
    let client = Some(ctx.client.id.as_str());
    notify(svc, &ctx.settings, post, "PostConfirmation_ConfirmForgotPassword", &user, client, json!({}))
        .await?;
    Ok(json!({}))
}

/// ChangePassword.
pub async fn change_password(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let SignedIn { settings, pool, mut user, .. } = signed_in(svc, &req).await?;
    let previous = req.string("PreviousPassword")?;
    let proposed = req.string("ProposedPassword")?;
    let pool_name = cognate_srp::pool_name(&pool.id).map_err(CognitoError::from)?;
    let wrong = || CognitoError::new(Exception::NotAuthorized, "Incorrect username or password.");
    let verifier = open_verifier(svc, &user).ok_or_else(wrong)?;
    if !verifier.matches(pool_name, &user.username, &previous) {
        return Err(wrong());
    }
    settings.password_policy.check(&proposed)?;
    user.verifier = Some(seal_verifier(svc, &pool, &user, &proposed)?);
    user.modified_ms = now_ms();
    svc.store.update_user(&user, &[], &[]).await.map_err(conflict)?;
    Ok(json!({}))
}

/// UpdateUserAttributes: a changed email or phone number becomes unverified and gets a code.
pub async fn update_user_attributes(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let SignedIn { settings, mut user, token, pool } = signed_in(svc, &req).await?;
    req.require("UserAttributes")?;
    let mut changes = req.attributes("UserAttributes")?;
    let client = crate::domain::clients::load(svc, &pool.id, &token.client_id)
        .await
        .map_err(|_| CognitoError::new(Exception::NotAuthorized, "Access Token has been revoked"))?;
    let client_settings: crate::domain::clients::ClientSettings = serde_json::from_value(client.doc)
        .map_err(|e| internal(StoreError::Backend(format!("client {}: {e}", client.id))))?;
    let writer = Writer::Client(client_settings.write_attributes.as_deref());
    check_write(&settings.schema, writer, &user.attributes, &changes)?;
    normalize_booleans(&settings.schema, &mut changes);
    let mut messages = Vec::new();
    let mut codes = Vec::new();
    let mut details = Vec::new();
    let mut changed_contact = Vec::new();
    for attr in ["email", "phone_number"] {
        if changes.get(attr).is_some_and(|v| user.attributes.get(attr) != Some(v)) {
            changed_contact.push(attr);
        }
    }
    user.attributes.extend(changes);
    for attr in changed_contact {
        user.attributes.insert(format!("{attr}_verified"), "false".to_owned());
        let wanted = settings.auto_verified_attributes.iter().any(|a| a == attr);
        let (purpose, subject, source) =
            (format!("verify:{attr}"), "Your verification code", "CustomMessage_UpdateUserAttribute");
        let client = Some(token.client_id.as_str());
        if wanted
            && let Some((m, c, d)) =
                verification(svc, &settings, client, &user, attr, &purpose, subject, source).await?
        {
            messages.push(m);
            codes.push(c);
            details.push(d);
        }
    }
    user.aliases = aliases(&settings, &user.attributes);
    user.modified_ms = now_ms();
    svc.store.update_user(&user, &messages, &codes).await.map_err(conflict)?;
    Ok(json!({ "CodeDeliveryDetailsList": details }))
}

fn contact_attribute(req: &Request) -> Result<String, CognitoError> {
    let name = req.string("AttributeName")?;
    if name == "email" || name == "phone_number" {
        Ok(name)
    } else {
        Err(CognitoError::new(
            Exception::InvalidParameter,
            format!("{name} cannot be verified; only email and phone_number can."),
        ))
    }
}

/// GetUserAttributeVerificationCode.
pub async fn get_user_attribute_verification_code(
    svc: &Services,
    req: Request,
) -> Result<Value, CognitoError> {
    let SignedIn { user, settings, token, .. } = signed_in(svc, &req).await?;
    let attr = contact_attribute(&req)?;
    let (purpose, subject, source) =
        (format!("verify:{attr}"), "Your verification code", "CustomMessage_VerifyUserAttribute");
    let client = Some(token.client_id.as_str());
    let Some((message, record, details)) =
        verification(svc, &settings, client, &user, &attr, &purpose, subject, source).await?
    else {
        return Err(CognitoError::new(Exception::InvalidParameter, format!("The user has no {attr}.")));
    };
    code::check_send_limit(svc, &user.pool_id, &message.destination).await?;
    svc.store.update_user(&user, &[message], &[record]).await.map_err(conflict)?;
    Ok(json!({ "CodeDeliveryDetails": details }))
}

/// VerifyUserAttribute.
pub async fn verify_user_attribute(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let SignedIn { settings, mut user, .. } = signed_in(svc, &req).await?;
    let attr = contact_attribute(&req)?;
    code::check(svc, &user, &format!("verify:{attr}"), &req.string("Code")?).await?;
    user.attributes.insert(format!("{attr}_verified"), "true".to_owned());
    user.aliases = aliases(&settings, &user.attributes);
    user.modified_ms = now_ms();
    svc.store.update_user(&user, &[], &[]).await.map_err(conflict)?;
    Ok(json!({}))
}

/// DeleteUser.
pub async fn delete_user(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let SignedIn { pool, user, .. } = signed_in(svc, &req).await?;
    svc.store.delete_user(&pool.id, &user.key).await.map_err(internal)?;
    Ok(json!({}))
}

/// DeleteUserAttributes.
pub async fn delete_user_attributes(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let SignedIn { settings, mut user, .. } = signed_in(svc, &req).await?;
    req.require("UserAttributeNames")?;
    let names: Vec<String> = req.opt("UserAttributeNames")?.unwrap_or_default();
    for name in &names {
        if settings.schema.iter().any(|s| &s.name == name && (s.required || !s.mutable)) {
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                format!("Cannot delete the attribute {name}"),
            ));
        }
        user.attributes.remove(name);
        if name == "email" || name == "phone_number" {
            user.attributes.remove(&format!("{name}_verified"));
        }
    }
    user.aliases = aliases(&settings, &user.attributes);
    user.modified_ms = now_ms();
    svc.store.update_user(&user, &[], &[]).await.map_err(conflict)?;
    Ok(json!({}))
}
