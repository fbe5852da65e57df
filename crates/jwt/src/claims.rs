//! The claims of a Cognito ID or access token, as the verifier reads them.

use serde::{Deserialize, Deserializer};

/// Which of Cognito's two JWTs a token is (`token_use`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenUse {
    /// An access token: `token_use: "access"`, the client in `client_id`.
    Access,
    /// An ID token: `token_use: "id"`, the client in `aud`.
    Id,
}

impl TokenUse {
    /// The claim's value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Id => "id",
        }
    }
}

/// The registered and Cognito claims the rules look at. Other claims stay in [`Claims::json`] for
/// custom checks.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Claims {
    /// `iss`.
    pub iss: Option<String>,
    /// `sub`: the user's stable id.
    pub sub: Option<String>,
    /// `exp`, seconds since the epoch (fractions dropped).
    #[serde(default, deserialize_with = "numeric_date")]
    pub exp: Option<i64>,
    /// `nbf`.
    #[serde(default, deserialize_with = "numeric_date")]
    pub nbf: Option<i64>,
    /// `iat`.
    #[serde(default, deserialize_with = "numeric_date")]
    pub iat: Option<i64>,
    /// `auth_time`.
    #[serde(default, deserialize_with = "numeric_date")]
    pub auth_time: Option<i64>,
    /// `token_use`: `access` or `id`.
    pub token_use: Option<String>,
    /// `client_id` (access tokens).
    pub client_id: Option<String>,
    /// `aud` (ID tokens); one string or an array.
    #[serde(default, deserialize_with = "one_or_many")]
    pub aud: Vec<String>,
    /// `scope`: space-separated.
    pub scope: Option<String>,
    /// `cognito:groups`.
    #[serde(default, rename = "cognito:groups")]
    pub groups: Vec<String>,
    /// `cognito:username` (ID tokens).
    #[serde(rename = "cognito:username")]
    pub cognito_username: Option<String>,
    /// `origin_jti`: the sign-in a token comes from (Cognito's tokens carry it; revocation is by it).
    pub origin_jti: Option<String>,
    /// `username` (access tokens).
    pub username: Option<String>,
    /// `jti`.
    pub jti: Option<String>,
    /// The payload as it was signed, for checks on claims not listed here.
    #[serde(skip)]
    pub json: String,
}

impl Claims {
    /// Parses a decoded payload. Duplicate claim names are refused (serde's derive does), so no two
    /// parsers can read the same token differently.
    pub(crate) fn parse(json: &[u8]) -> Result<Self, crate::Error> {
        let mut claims: Self = serde_json::from_slice(json)
            .map_err(|_| crate::Error::Malformed("payload is not a JSON claims set"))?;
        claims.json = String::from_utf8_lossy(json).into_owned();
        Ok(claims)
    }

    /// `token_use` as a [`TokenUse`], if it is one of the two.
    #[must_use]
    pub fn token_use(&self) -> Option<TokenUse> {
        match self.token_use.as_deref() {
            Some("access") => Some(TokenUse::Access),
            Some("id") => Some(TokenUse::Id),
            _ => None,
        }
    }

    /// The user name: `username` on access tokens, `cognito:username` on ID tokens.
    #[must_use]
    pub fn user_name(&self) -> Option<&str> {
        self.username.as_deref().or(self.cognito_username.as_deref())
    }

    /// The app client the token was issued to: `client_id`, or the single `aud` of an ID token.
    #[must_use]
    pub fn client(&self) -> Option<&str> {
        match self.token_use() {
            Some(TokenUse::Id) => self.aud.first().map(String::as_str),
            _ => self.client_id.as_deref(),
        }
    }

    /// The scopes, split on spaces.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.as_deref().unwrap_or("").split(' ').filter(|s| !s.is_empty())
    }

    /// Any other claim, read from the signed payload.
    #[must_use]
    pub fn other(&self, name: &str) -> Option<serde_json::Value> {
        let mut all: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&self.json).ok()?;
        all.remove(name)
    }
}

/// NumericDate (RFC 7519 §2): a JSON number of seconds, possibly with a fraction.
fn numeric_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(i) = n.as_i64() {
        return Ok(Some(i));
    }
    match n.as_f64() {
        // `as` saturates; a date beyond i64 is as good as never.
        #[allow(clippy::cast_possible_truncation)]
        Some(f) if f.is_finite() => Ok(Some(f.floor() as i64)),
        _ => Err(serde::de::Error::custom("not a NumericDate")),
    }
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
    })
}
