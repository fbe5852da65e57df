//! An app client's settings as Cognate keeps them, its secret, and loading it.

use cognate_proto::{CognitoError, Exception};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::services::{Services, internal};
use crate::store::{ClientRecord, StoreError};

/// `TokenValidityUnits`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenValidityUnits {
    /// `seconds`, `minutes`, `hours` or `days`.
    #[serde(default = "hours")]
    pub access_token: String,
    /// As above.
    #[serde(default = "hours")]
    pub id_token: String,
    /// As above.
    #[serde(default = "days")]
    pub refresh_token: String,
}

pub(crate) fn hours() -> String {
    "hours".to_owned()
}

pub(crate) fn days() -> String {
    "days".to_owned()
}

/// An app client's settings, as DescribeUserPoolClient shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClientSettings {
    /// Refresh-token lifetime in `TokenValidityUnits.RefreshToken`.
    pub refresh_token_validity: i64,
    /// Access-token lifetime in `TokenValidityUnits.AccessToken`.
    pub access_token_validity: i64,
    /// ID-token lifetime in `TokenValidityUnits.IdToken`.
    pub id_token_validity: i64,
    /// The units of the three lifetimes.
    pub token_validity_units: TokenValidityUnits,
    /// Attributes the client may read (`None`: all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_attributes: Option<Vec<String>>,
    /// Attributes the client may write (`None`: all mutable ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_attributes: Option<Vec<String>>,
    /// The auth flows the client may use.
    pub explicit_auth_flows: Vec<String>,
    /// Identity providers (`COGNITO`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supported_identity_providers: Option<Vec<String>>,
    /// Registered redirect URLs.
    #[serde(rename = "CallbackURLs", skip_serializing_if = "Vec::is_empty", default)]
    pub callback_urls: Vec<String>,
    /// Registered sign-out URLs.
    #[serde(rename = "LogoutURLs", skip_serializing_if = "Vec::is_empty", default)]
    pub logout_urls: Vec<String>,
    /// The default redirect URL (one of the callback URLs).
    #[serde(rename = "DefaultRedirectURI", skip_serializing_if = "Option::is_none")]
    pub default_redirect_uri: Option<String>,
    /// `code`, `implicit`, `client_credentials`.
    #[serde(rename = "AllowedOAuthFlows", skip_serializing_if = "Vec::is_empty", default)]
    pub allowed_oauth_flows: Vec<String>,
    /// OAuth scopes.
    #[serde(rename = "AllowedOAuthScopes", skip_serializing_if = "Vec::is_empty", default)]
    pub allowed_oauth_scopes: Vec<String>,
    /// The client may use the OAuth flows.
    #[serde(rename = "AllowedOAuthFlowsUserPoolClient")]
    pub allowed_oauth_flows_user_pool_client: bool,
    /// Echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analytics_configuration: Option<Value>,
    /// `LEGACY` or `ENABLED`.
    pub prevent_user_existence_errors: String,
    /// Refresh tokens can be revoked.
    pub enable_token_revocation: bool,
    /// Echoed.
    pub enable_propagate_additional_user_context_data: bool,
    /// Minutes an auth session lasts (3–15).
    pub auth_session_validity: i64,
    /// `{Feature, RetryGracePeriodSeconds}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token_rotation: Option<RefreshTokenRotation>,
}

/// `RefreshTokenRotation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RefreshTokenRotation {
    /// `ENABLED` or `DISABLED`.
    pub feature: String,
    /// 0–60 seconds during which the old token still works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_grace_period_seconds: Option<i64>,
}

/// `amount` of `unit` (`seconds`, `minutes`, `hours`, `days`) in seconds.
pub fn seconds(amount: i64, unit: &str) -> i64 {
    amount.saturating_mul(match unit {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        _ => 86_400,
    })
}

/// The sealing context of a client's secret.
pub fn secret_context(client_id: &str) -> String {
    format!("client-secret:{client_id}")
}

/// The client's secret, unsealed; `None` for a public client.
///
/// # Errors
/// `InternalErrorException` if the sealed secret does not open.
pub fn secret(svc: &Services, client: &ClientRecord) -> Result<Option<Zeroizing<Vec<u8>>>, CognitoError> {
    client
        .secret
        .as_ref()
        .map(|sealed| {
            svc.sealer
                .open(&secret_context(&client.id), sealed)
                .map_err(|e| internal(StoreError::Backend(format!("client {}: {e}", client.id))))
        })
        .transpose()
}

/// True if `given` is the client's secret (constant-time); a public client has none to match.
pub fn secret_matches(secret: &[u8], given: Option<&str>) -> bool {
    given.is_some_and(|g| bool::from(subtle::ConstantTimeEq::ct_eq(g.as_bytes(), secret)))
}

/// Loads a client of `pool_id`.
///
/// # Errors
/// `ResourceNotFoundException` when the client does not exist in that pool.
pub async fn load(svc: &Services, pool_id: &str, client_id: &str) -> Result<ClientRecord, CognitoError> {
    match svc.store.client(client_id).await.map_err(internal)? {
        Some(c) if c.pool_id == pool_id => Ok(c),
        _ => Err(CognitoError::new(
            Exception::ResourceNotFound,
            format!("User pool client {client_id} does not exist."),
        )),
    }
}
