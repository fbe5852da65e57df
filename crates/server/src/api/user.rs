//! Users, as administrators manage them: AdminCreateUser, AdminGetUser, AdminDeleteUser,
//! AdminEnableUser / AdminDisableUser, AdminSetUserPassword, AdminResetUserPassword,
//! AdminConfirmSignUp, AdminUpdateUserAttributes, AdminDeleteUserAttributes.

use std::collections::BTreeMap;

use cognate_proto::{CognitoError, Exception};
use cognate_srp::{SrpInt, Verifier};
use serde::Deserialize;
use serde_json::{Value, json};

use super::wire::{check_len, epoch_seconds, invalid};
use super::{Request, Services, internal, now_ms};
use crate::domain::attributes::{Writer, check_write};
use crate::domain::pools::{PoolSettings, load as load_pool};
use crate::domain::schema::{check_required, normalize_booleans};
use crate::domain::validate::one_of;
use crate::store::{Message, PoolRecord, StoreError, UserFilter, UserRecord};

/// `AttributeType`: `{Name, Value}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType {
    /// The attribute's name.
    pub name: String,
    /// Its value (absent means empty).
    #[serde(default)]
    pub value: Option<String>,
}

/// The lookup key of a username in a pool.
pub fn username_key(settings: &PoolSettings, username: &str) -> String {
    if settings.case_sensitive { username.to_owned() } else { username.to_lowercase() }
}

/// The sign-in aliases a user holds, which must be unique in the pool.
pub fn aliases(settings: &PoolSettings, attrs: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, verified) in [("email", "email_verified"), ("phone_number", "phone_number_verified")] {
        let Some(value) = attrs.get(name) else { continue };
        let as_username = settings.username_attributes.iter().any(|a| a == name);
        let as_alias = settings.alias_attributes.iter().any(|a| a == name)
            && attrs.get(verified).is_some_and(|v| v == "true");
        if as_username || as_alias {
            out.push((name.to_owned(), value.to_lowercase()));
        }
    }
    if settings.alias_attributes.iter().any(|a| a == "preferred_username")
        && let Some(p) = attrs.get("preferred_username")
    {
        out.push(("preferred_username".to_owned(), username_key(settings, p)));
    }
    out
}

/// `UserNotFoundException`.
pub fn user_not_found() -> CognitoError {
    CognitoError::new(Exception::UserNotFound, "User does not exist.")
}

/// Finds a user by username, or by an alias (email, phone number, preferred username) the pool allows.
///
/// # Errors
/// `UserNotFoundException` when nobody matches.
pub async fn resolve(
    svc: &Services,
    pool: &PoolRecord,
    settings: &PoolSettings,
    given: &str,
) -> Result<UserRecord, CognitoError> {
    let store = &svc.store;
    if let Some(user) = store.user(&pool.id, &username_key(settings, given)).await.map_err(internal)? {
        return Ok(user);
    }
    let kinds = settings.username_attributes.iter().chain(&settings.alias_attributes);
    for kind in kinds {
        let value =
            if kind == "preferred_username" { username_key(settings, given) } else { given.to_lowercase() };
        if let Some(key) = store.user_by_alias(&pool.id, kind, &value).await.map_err(internal)?
            && let Some(user) = store.user(&pool.id, &key).await.map_err(internal)?
        {
            return Ok(user);
        }
    }
    // Where the username is not an alias, Cognito also takes the user's `sub`.
    if uuid::Uuid::parse_str(given).is_ok() {
        let by_sub = UserFilter { name: "sub".to_owned(), value: given.to_owned(), prefix: false };
        let page = store.list_users(&pool.id, Some(&by_sub), None, 1).await.map_err(internal)?;
        if let Some(user) = page.items.into_iter().next() {
            return Ok(user);
        }
    }
    Err(user_not_found())
}

/// The user's attributes as `[{Name, Value}]`.
pub fn attributes_json(user: &UserRecord) -> Value {
    Value::Array(user.attributes.iter().map(|(k, v)| json!({ "Name": k, "Value": v })).collect())
}

/// `UserType`, as ListUsers and AdminCreateUser show a user (`attributes` under `attributes_member`).
pub fn user_type(user: &UserRecord, attributes_member: &str) -> Value {
    let mut out = json!({
        "Username": user.username,
        "UserCreateDate": epoch_seconds(user.created_ms),
        "UserLastModifiedDate": epoch_seconds(user.modified_ms),
        "Enabled": user.enabled,
        "UserStatus": user.status,
    });
    out[attributes_member] = attributes_json(user);
    out
}

fn verifier_context(pool_id: &str, key: &str) -> String {
    format!("verifier:{pool_id}:{key}")
}

/// Seals a new SRP verifier for `password`: `salt length (2 bytes) ‖ salt ‖ v`.
pub fn seal_verifier(
    svc: &Services,
    pool: &PoolRecord,
    user: &UserRecord,
    password: &str,
) -> Result<Vec<u8>, CognitoError> {
    let pool_name =
        cognate_srp::pool_name(&pool.id).map_err(|e| internal(StoreError::Backend(e.to_string())))?;
    let verifier = Verifier::generate(pool_name, &user.username, password)
        .map_err(|e| internal(StoreError::Backend(e.to_string())))?;
    let salt = verifier.salt.to_padded_bytes();
    let mut plain = zeroize::Zeroizing::new(Vec::with_capacity(2 + salt.len() + 385));
    plain.extend_from_slice(&u16::try_from(salt.len()).unwrap_or(0).to_be_bytes());
    plain.extend_from_slice(&salt);
    plain.extend_from_slice(&verifier.v.to_padded_bytes());
    Ok(svc.sealer.seal(&verifier_context(&pool.id, &user.key), &plain))
}

/// Opens a user's sealed verifier.
pub fn open_verifier(svc: &Services, user: &UserRecord) -> Option<Verifier> {
    let sealed = user.verifier.as_ref()?;
    let plain = svc.sealer.open(&verifier_context(&user.pool_id, &user.key), sealed).ok()?;
    let (len, rest) = plain.split_at_checked(2)?;
    let (salt, v) = rest.split_at_checked(usize::from(u16::from_be_bytes([len[0], len[1]])))?;
    Some(Verifier { salt: SrpInt::from_be_bytes("salt", salt).ok()?, v: SrpInt::from_be_bytes("v", v).ok()? })
}

fn read_attributes(req: &Request, member: &str) -> Result<BTreeMap<String, String>, CognitoError> {
    let list: Vec<AttributeType> = req.opt(member)?.unwrap_or_default();
    Ok(list.into_iter().map(|a| (a.name, a.value.unwrap_or_default())).collect())
}

fn map_user_conflict(settings: &PoolSettings, err: StoreError) -> CognitoError {
    match err {
        StoreError::Conflict(what) if what == "username" => {
            CognitoError::new(Exception::UsernameExists, "User account already exists")
        }
        StoreError::Conflict(what) if what.starts_with("alias:") => {
            let kind = what.trim_start_matches("alias:");
            if settings.username_attributes.iter().any(|a| a == kind) {
                CognitoError::new(
                    Exception::UsernameExists,
                    format!("An account with the given {kind} already exists."),
                )
            } else {
                alias_exists(kind)
            }
        }
        StoreError::NotFound => user_not_found(),
        other => internal(other),
    }
}

/// `AliasExistsException`: another user holds `kind` (`email`, `phone_number`, ...) as an alias.
fn alias_exists(kind: &str) -> CognitoError {
    CognitoError::new(Exception::AliasExists, format!("An account with the given {kind} already exists."))
}

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

/// Cognito's rule for a new username, the same for every operation that makes one (SignUp,
/// AdminCreateUser): 1 to 128 characters of `[\p{L}\p{M}\p{S}\p{N}\p{P}]`, so no white space,
/// no control characters (U+0000–U+001F, U+007F–U+009F) and no invisible format characters.
///
/// # Errors
/// `InvalidParameterException` with AWS's validation message.
pub(super) fn check_username(username: &str) -> Result<(), CognitoError> {
    check_len("Username", username, 1, 128)?;
    // Format characters (Cf) that are neither letters, marks, symbols, numbers nor punctuation.
    let format = |c: char| {
        matches!(c, '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{180e}'
            | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}' | '\u{e000}'..='\u{f8ff}')
    };
    if username.chars().any(|c| c.is_whitespace() || c.is_control() || format(c)) {
        return Err(invalid(
            "Username",
            username,
            "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ));
    }
    Ok(())
}

/// AdminCreateUser.
pub async fn admin_create(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, settings) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let given = username_member(&req)?;
    let mut attrs = read_attributes(&req, "UserAttributes")?;
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
        if user.status != "FORCE_CHANGE_PASSWORD" {
            return Err(CognitoError::new(
                Exception::UnsupportedUserState,
                format!("Resend not possible. {} status is not FORCE_CHANGE_PASSWORD", user.username),
            ));
        }
        user.verifier = Some(seal_verifier(svc, &pool, &user, &password)?);
        user.modified_ms = now_ms();
        svc.store
            .update_user(&user, &send(&user)?, &[])
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
        status: "FORCE_CHANGE_PASSWORD".to_owned(),
        enabled: true,
        aliases: aliases(&settings, &attrs),
        attributes: attrs,
        verifier: None,
        created_ms: now,
        modified_ms: now,
    };
    user.verifier = Some(seal_verifier(svc, &pool, &user, &password)?);
    let messages = send(&user)?;
    let force = req.opt_bool("ForceAliasCreation")?.unwrap_or(false);
    match svc.store.insert_user(&user, &messages, &[]).await {
        Err(StoreError::Conflict(what)) if force && what.starts_with("alias:") => {
            take_alias(svc, &pool, &settings, what.trim_start_matches("alias:"), &user).await?;
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
    let (mfa_list, preferred) = super::mfa::user_settings(svc, &user).await?;
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
    user.status = if permanent { "CONFIRMED" } else { "FORCE_CHANGE_PASSWORD" }.to_owned();
    save(svc, &settings, &mut user).await
}

/// AdminResetUserPassword: the password stops working, and a reset code goes to the user's verified
/// email or phone number (as the pool's account-recovery setting orders them).
pub async fn admin_reset_password(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (_, settings, mut user) = load_user(svc, &req).await?;
    if !user.enabled {
        return Err(CognitoError::new(Exception::NotAuthorized, "User is disabled."));
    }
    let Some((channel, destination)) = super::code::recovery_destination(&settings, &user) else {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        ));
    };
    let code = super::code::six_digits();
    let record = super::code::record(svc, &user, "reset", &code, super::code::RESET_TTL_MS);
    let body = format!("Your password reset code is {code}");
    let message = super::code::message(&user, channel, destination, "Your password reset code", body);
    user.status = "RESET_REQUIRED".to_owned();
    user.verifier = None;
    user.modified_ms = now_ms();
    svc.store.update_user(&user, &[message], &[record]).await.map_err(|e| map_user_conflict(&settings, e))?;
    Ok(json!({}))
}

/// AdminConfirmSignUp: only an UNCONFIRMED user can be confirmed.
pub async fn admin_confirm_sign_up(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (_, settings, mut user) = load_user(svc, &req).await?;
    if user.status != "UNCONFIRMED" {
        return Err(CognitoError::new(
            Exception::NotAuthorized,
            format!("User cannot be confirmed. Current status is {}", user.status),
        ));
    }
    user.status = "CONFIRMED".to_owned();
    save(svc, &settings, &mut user).await
}

/// AdminUpdateUserAttributes: a changed email or phone number becomes unverified unless the same
/// request marks it verified.
pub async fn admin_update_attributes(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (_, settings, mut user) = load_user(svc, &req).await?;
    req.require("UserAttributes")?;
    let mut changes = read_attributes(&req, "UserAttributes")?;
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
        StoreError::Conflict(what) if what.starts_with("alias:") => {
            alias_exists(what.trim_start_matches("alias:"))
        }
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
