//! Users: how a name finds one (username, case, aliases), their attributes on the wire, their
//! sealed SRP verifiers, and the one rule for a new username.

use std::collections::BTreeMap;

use cognate_proto::{CognitoError, Exception};
use cognate_srp::{SrpInt, Verifier};
use serde::Deserialize;
use serde_json::{Value, json};

use super::pools::PoolSettings;
use super::validate::{check_len, epoch_seconds, invalid};
use crate::services::{Services, internal};
use crate::store::{PoolRecord, StoreError, Taken, UserFilter, UserRecord};

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

/// Cognito's rule for a new username, the same for every operation that makes one (SignUp,
/// AdminCreateUser): 1 to 128 characters of `[\p{L}\p{M}\p{S}\p{N}\p{P}]`, so no white space,
/// no control characters (U+0000–U+001F, U+007F–U+009F) and no invisible format characters.
///
/// # Errors
/// `InvalidParameterException` with AWS's validation message.
pub fn check_username(username: &str) -> Result<(), CognitoError> {
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

/// Who is writing a user, which decides how a taken username reads: `SignUp` says "User already
/// exists", the admin operations "User account already exists", as Cognito words them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writing {
    /// SignUp and the other self-service operations.
    SelfService,
    /// AdminCreateUser and the other admin operations.
    Admin,
}

/// The Cognito error for a store failure while writing a user: a taken username is
/// `UsernameExistsException`; a taken alias is `AliasExistsException` (for an admin, where the alias
/// is the pool's username attribute, `UsernameExistsException`); a missing user is
/// `UserNotFoundException`;
/// anything else is internal.
pub fn user_conflict(username_attributes: &[String], writing: Writing, err: StoreError) -> CognitoError {
    match err {
        StoreError::Conflict(Taken::Username) => CognitoError::new(
            Exception::UsernameExists,
            match writing {
                Writing::SelfService => "User already exists",
                Writing::Admin => "User account already exists",
            },
        ),
        StoreError::Conflict(Taken::Alias(kind))
            if writing == Writing::Admin && username_attributes.contains(&kind) =>
        {
            CognitoError::new(
                Exception::UsernameExists,
                format!("An account with the given {kind} already exists."),
            )
        }
        StoreError::Conflict(Taken::Alias(kind)) => alias_exists(&kind),
        StoreError::NotFound => user_not_found(),
        other => internal(other),
    }
}

/// `AliasExistsException` for an alias of `kind` another user holds.
pub fn alias_exists(kind: &str) -> CognitoError {
    CognitoError::new(Exception::AliasExists, format!("An account with the given {kind} already exists."))
}
