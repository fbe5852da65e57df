//! A user pool's settings as Cognate keeps them, and loading and saving them.

use std::collections::BTreeMap;

use cognate_proto::{CognitoError, Exception};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::factors::{MfaSettings, WebAuthnSettings};
use super::password::PasswordPolicy;
use super::schema::SchemaAttribute;
use super::validate::invalid;
use crate::services::{Services, internal, now_ms};
use crate::store::{PoolRecord, StoreError};

/// `AdminCreateUserConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AdminCreateUserConfig {
    /// Only admins create users (SignUp is refused).
    pub allow_admin_create_user_only: bool,
    /// Days before an unused temporary password expires (deprecated in favour of the password policy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unused_account_validity_days: Option<i64>,
    /// The invitation's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_message_template: Option<InviteMessageTemplate>,
}

impl Default for AdminCreateUserConfig {
    fn default() -> Self {
        Self {
            allow_admin_create_user_only: false,
            unused_account_validity_days: Some(7),
            invite_message_template: None,
        }
    }
}

/// `MessageTemplateType` of invitations.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InviteMessageTemplate {
    /// SMS text with `{username}` and `{####}`.
    #[serde(rename = "SMSMessage", skip_serializing_if = "Option::is_none")]
    pub sms_message: Option<String>,
    /// Email text with `{username}` and `{####}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_message: Option<String>,
    /// Email subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_subject: Option<String>,
}

/// Everything Cognate keeps about a pool besides its id, name and dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolSettings {
    /// The password policy.
    pub password_policy: PasswordPolicy,
    /// `Policies.SignInPolicy`, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_policy: Option<Value>,
    /// Standard and custom attributes.
    pub schema: Vec<SchemaAttribute>,
    /// `email` / `phone_number` used as the username.
    pub username_attributes: Vec<String>,
    /// `email` / `phone_number` / `preferred_username` accepted as sign-in aliases.
    pub alias_attributes: Vec<String>,
    /// `UsernameConfiguration.CaseSensitive` (false: usernames match whatever their case).
    pub case_sensitive: bool,
    /// Attributes verified by code automatically.
    pub auto_verified_attributes: Vec<String>,
    /// `OFF`, `ON` or `OPTIONAL`.
    pub mfa_configuration: String,
    /// The second factors offered (SetUserPoolMfaConfig).
    #[serde(default)]
    pub mfa: MfaSettings,
    /// `WebAuthnConfiguration` (SetUserPoolMfaConfig, UpdateUserPool): passkeys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webauthn: Option<WebAuthnSettings>,
    /// `ACTIVE` or `INACTIVE`.
    pub deletion_protection: String,
    /// `AdminCreateUserConfig`.
    pub admin_create_user_config: AdminCreateUserConfig,
    /// `UserPoolTags`.
    pub tags: BTreeMap<String, String>,
    /// The members Cognate keeps as given and echoes (`api::pool`'s list).
    pub echoed: Map<String, Value>,
}

/// A pool id's shape: `[\w-]+_[0-9a-zA-Z]+`, at most 55 characters.
///
/// # Errors
/// `InvalidParameterException` for anything else.
pub fn check_pool_id(id: &str) -> Result<(), CognitoError> {
    let ok = id.len() <= 55
        && id.split_once('_').is_some_and(|(region, rest)| {
            !region.is_empty()
                && region.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                && !rest.is_empty()
                && rest.chars().all(|c| c.is_ascii_alphanumeric())
        });
    if ok {
        Ok(())
    } else {
        Err(invalid("UserPoolId", id, "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"))
    }
}

/// Loads a pool and its settings.
///
/// # Errors
/// `ResourceNotFoundException` for an unknown pool.
pub async fn load(svc: &Services, id: &str) -> Result<(PoolRecord, PoolSettings), CognitoError> {
    check_pool_id(id)?;
    let pool = svc.store.pool(id).await.map_err(internal)?.ok_or_else(|| pool_not_found(id))?;
    let settings =
        serde_json::from_value(pool.doc.clone()).map_err(|e| internal(StoreError::Backend(e.to_string())))?;
    Ok((pool, settings))
}

/// Writes a pool's settings back.
pub async fn save(
    svc: &Services,
    pool: &mut PoolRecord,
    settings: &PoolSettings,
) -> Result<(), CognitoError> {
    pool.doc = settings_doc(settings);
    pool.modified_ms = now_ms();
    svc.store.update_pool(pool).await.map_err(internal)
}

/// The stored form of a pool's settings.
pub fn settings_doc(settings: &PoolSettings) -> Value {
    serde_json::to_value(settings).unwrap_or(Value::Null)
}

/// `ResourceNotFoundException` for a missing pool.
pub fn pool_not_found(id: &str) -> CognitoError {
    CognitoError::new(Exception::ResourceNotFound, format!("User pool {id} does not exist."))
}

/// The first factors the pool allows (`Policies.SignInPolicy.AllowedFirstAuthFactors`; Cognito's
/// default: the password only).
pub fn allowed_first_factors(settings: &PoolSettings) -> Vec<String> {
    settings
        .sign_in_policy
        .as_ref()
        .and_then(|p| p.get("AllowedFirstAuthFactors"))
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_else(|| vec!["PASSWORD".to_owned()])
}
