//! The sign-in factors a pool offers beyond the password: MFA (`SetUserPoolMfaConfig`) and passkeys
//! (`WebAuthnConfiguration`), as settings.

use cognate_proto::{CognitoError, Exception};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::validate::invalid;

/// The factors a pool offers (beyond `MfaConfiguration`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct MfaSettings {
    /// `SoftwareTokenMfaConfiguration.Enabled`.
    #[serde(default)]
    pub software_token: bool,
    /// `SmsMfaConfiguration`, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms: Option<Value>,
    /// `EmailMfaConfiguration`, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Value>,
}

/// Origins a pool may allow.
const MAX_ORIGINS: usize = 20;

/// `WebAuthnConfiguration`, with Cognate's `AllowedOrigins`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebAuthnSettings {
    /// The RP ID: the domain passkeys are bound to.
    pub relying_party_id: String,
    /// `required` or `preferred`.
    pub user_verification: String,
    /// `SINGLE_FACTOR` or `MULTI_FACTOR_WITH_USER_VERIFICATION`.
    pub factor_configuration: String,
    /// Origins allowed to use the passkeys, exactly; empty: `https://` the RP ID and its subdomains
    /// (and `http://localhost` on any port for `localhost`). A Cognate extension: Cognito derives
    /// them from the RP ID and the pool's domain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_origins: Vec<String>,
}

impl WebAuthnSettings {
    /// Reads `WebAuthnConfiguration` as given over the current settings.
    ///
    /// # Errors
    /// `InvalidParameterException` for a bad RP ID, policy or origin.
    pub fn parse(given: &Value, current: Option<&Self>) -> Result<Self, CognitoError> {
        let text = |name: &str| given.get(name).and_then(Value::as_str).map(str::to_owned);
        let rp_id = text("RelyingPartyId")
            .or_else(|| current.map(|c| c.relying_party_id.clone()))
            .ok_or_else(|| CognitoError::new(Exception::InvalidParameter, "RelyingPartyId is required."))?;
        let is_domain = (1..=127).contains(&rp_id.len())
            && rp_id.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            });
        if !is_domain {
            return Err(invalid(
                "RelyingPartyId",
                &rp_id,
                "Member must be a lowercase domain name of 1 to 127 characters",
            ));
        }
        let uv = text("UserVerification").unwrap_or_else(|| "preferred".to_owned());
        super::validate::one_of("UserVerification", &uv, &["required", "preferred"])?;
        let factor = text("FactorConfiguration")
            .or_else(|| current.map(|c| c.factor_configuration.clone()))
            .unwrap_or_else(|| "SINGLE_FACTOR".to_owned());
        super::validate::one_of(
            "FactorConfiguration",
            &factor,
            &["SINGLE_FACTOR", "MULTI_FACTOR_WITH_USER_VERIFICATION"],
        )?;
        let origins = match given.get("AllowedOrigins") {
            None => current.map(|c| c.allowed_origins.clone()).unwrap_or_default(),
            Some(list) => {
                let list: Vec<String> = serde_json::from_value(list.clone()).map_err(|_| {
                    CognitoError::new(
                        Exception::InvalidParameter,
                        "AllowedOrigins must be a list of origins.",
                    )
                })?;
                if list.len() > MAX_ORIGINS {
                    return Err(CognitoError::new(
                        Exception::InvalidParameter,
                        format!("AllowedOrigins may name at most {MAX_ORIGINS} origins."),
                    ));
                }
                for origin in &list {
                    let ok = origin.len() <= 255
                        && (origin.starts_with("https://") || origin.starts_with("http://"))
                        && !origin.trim_start_matches("https://").trim_start_matches("http://").contains('/');
                    if !ok {
                        return Err(invalid(
                            "AllowedOrigins",
                            origin,
                            "An origin is a scheme, host and optional port",
                        ));
                    }
                }
                list
            }
        };
        Ok(Self {
            relying_party_id: rp_id,
            user_verification: uv,
            factor_configuration: factor,
            allowed_origins: origins,
        })
    }

    /// As GetUserPoolMfaConfig and DescribeUserPool show it.
    #[must_use]
    pub fn json(&self) -> Value {
        let mut out = json!({
            "RelyingPartyId": self.relying_party_id,
            "UserVerification": self.user_verification,
            "FactorConfiguration": self.factor_configuration,
        });
        if !self.allowed_origins.is_empty() {
            out["AllowedOrigins"] = json!(self.allowed_origins);
        }
        out
    }
}
