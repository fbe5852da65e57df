//! Tokens: per-pool RS256 signing keys (sealed in the store, cached in memory), the ID and access
//! tokens Cognito issues with Cognito's claims, opaque refresh tokens stored as hashes, and the check
//! of access tokens presented to Cognate's own APIs.

pub(crate) mod cache;
mod keys;

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_proto::{CognitoError, Exception};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

pub use cache::KeyCache;
pub use keys::{jwks, rotate};

use crate::services::Services;
use crate::store::{RefreshRecord, UserRecord};

/// Lifetimes of the tokens of one app client, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// ID token.
    pub id: i64,
    /// Access token.
    pub access: i64,
    /// Refresh token.
    pub refresh: i64,
}

/// What a successful sign-in (or refresh) answers: Cognito's `AuthenticationResult`.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The ID token (an OAuth sign-in gets one only with the `openid` scope).
    pub id_token: Option<String>,
    /// The access token.
    pub access_token: String,
    /// A new refresh token (none on refresh without rotation).
    pub refresh_token: Option<String>,
    /// Seconds the access token lives.
    pub expires_in: i64,
}

impl Issued {
    /// `AuthenticationResult` JSON.
    pub fn json(&self) -> Value {
        let mut out = json!({
            "AccessToken": self.access_token,
            "ExpiresIn": self.expires_in,
            "TokenType": "Bearer",
        });
        if let Some(id) = &self.id_token {
            out["IdToken"] = json!(id);
        }
        if let Some(r) = &self.refresh_token {
            out["RefreshToken"] = json!(r);
        }
        out
    }
}

/// The sign-in a set of tokens belongs to.
#[derive(Debug, Clone)]
pub struct SignIn<'a> {
    /// The user.
    pub user: &'a UserRecord,
    /// Their groups, by precedence.
    pub groups: Vec<String>,
    /// The app client.
    pub client_id: &'a str,
    /// When the user authenticated, epoch seconds.
    pub auth_time: i64,
    /// The `jti` of the first access token of this sign-in.
    pub origin_jti: String,
    /// For a sign-in through the OAuth endpoints: what it was granted. `None`: the JSON API's
    /// sign-in, whose access token has the scope `aws.cognito.signin.user.admin` alone.
    pub oauth: Option<Grant>,
    /// What the pool's pre token generation trigger changes.
    pub overrides: Option<Overrides>,
}

/// What a pre token generation trigger asked for (already checked): claims added or removed in each
/// token, scopes added or removed, groups and roles replaced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// Claims to add to (or replace in) the ID token.
    pub id_add: Map<String, Value>,
    /// Claims to leave out of the ID token.
    pub id_suppress: Vec<String>,
    /// Claims to add to (or replace in) the access token.
    pub access_add: Map<String, Value>,
    /// Claims to leave out of the access token.
    pub access_suppress: Vec<String>,
    /// Scopes to add to the access token.
    pub scopes_add: Vec<String>,
    /// Scopes to take out of it.
    pub scopes_suppress: Vec<String>,
    /// `cognito:groups` instead of the user's groups.
    pub groups: Option<Vec<String>>,
    /// `cognito:roles`.
    pub roles: Option<Vec<String>>,
    /// `cognito:preferred_role`.
    pub preferred_role: Option<String>,
}

/// Claims no trigger may change (Cognito's list, and the ones Cognate's checks rely on).
pub const PROTECTED_CLAIMS: [&str; 22] = [
    "acr",
    "amr",
    "aud",
    "at_hash",
    "auth_time",
    "azp",
    "cognito:username",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
    "client_id",
    "username",
    "device_key",
    "event_id",
    "scope",
];

impl Overrides {
    fn apply(&self, id: &mut Map<String, Value>, access: &mut Map<String, Value>) {
        let protected = |k: &str| PROTECTED_CLAIMS.contains(&k) || k.starts_with("dev:");
        for k in self.id_suppress.iter().filter(|k| !protected(k)) {
            id.remove(k);
        }
        for k in self.access_suppress.iter().filter(|k| !protected(k)) {
            access.remove(k);
        }
        for (k, v) in self.id_add.iter().filter(|(k, _)| !protected(k)) {
            id.insert(k.clone(), v.clone());
        }
        for (k, v) in self.access_add.iter().filter(|(k, _)| !protected(k)) {
            access.insert(k.clone(), v.clone());
        }
        if let Some(groups) = &self.groups {
            for claims in [&mut *id, &mut *access] {
                if groups.is_empty() {
                    claims.remove("cognito:groups");
                } else {
                    claims.insert("cognito:groups".into(), json!(groups));
                }
            }
        }
        if let Some(roles) = &self.roles {
            id.insert("cognito:roles".into(), json!(roles));
        }
        if let Some(role) = &self.preferred_role {
            id.insert("cognito:preferred_role".into(), json!(role));
        }
        let mut scopes: Vec<String> = access
            .get("scope")
            .and_then(Value::as_str)
            .map(|s| s.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        scopes.retain(|s| !self.scopes_suppress.contains(s));
        for s in &self.scopes_add {
            if !scopes.contains(s) {
                scopes.push(s.clone());
            }
        }
        access.insert("scope".into(), json!(scopes.join(" ")));
    }
}

/// What an OAuth sign-in was granted: its scopes, and the `nonce` the app sent to `/oauth2/authorize`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grant {
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// Copied into the ID token.
    pub nonce: Option<String>,
}

impl Grant {
    /// Whether `scope` was granted.
    #[must_use]
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// The issuer of a pool's tokens.
pub fn issuer(svc: &Services, pool_id: &str) -> String {
    format!("{}/{pool_id}", svc.public_url.trim_end_matches('/'))
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a refresh token, hex: what the store keeps.
pub fn refresh_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The ID token's user claims: attributes as Cognito puts them (verification flags as booleans,
/// everything else, custom attributes included, as strings).
fn attribute_claims(attributes: &BTreeMap<String, String>) -> Map<String, Value> {
    attributes
        .iter()
        .map(|(k, v)| {
            let value = match k.as_str() {
                "email_verified" | "phone_number_verified" => json!(v == "true"),
                _ => json!(v),
            };
            (k.clone(), value)
        })
        .collect()
}

/// Signs ID and access tokens (and, when `with_refresh`, a new refresh token) for `sign_in`.
///
/// # Errors
/// `InternalErrorException` if the pool's key cannot be made or opened, or the store fails.
pub async fn issue(
    svc: &Services,
    sign_in: &SignIn<'_>,
    lifetimes: Lifetimes,
    with_refresh: bool,
) -> Result<Issued, CognitoError> {
    let user = sign_in.user;
    let now = crate::services::now_ms() / 1000;
    let iss = issuer(svc, &user.pool_id);
    let event_id = uuid::Uuid::new_v4().to_string();
    let signing = svc.keys.current(svc, &user.pool_id).await?;
    let (kid, key) = (&signing.0, &signing.1);

    let mut id_claims = attribute_claims(&user.attributes);
    let common = json!({
        "sub": user.sub, "iss": iss, "origin_jti": sign_in.origin_jti, "event_id": event_id,
        "auth_time": sign_in.auth_time, "iat": now,
    });
    for (k, v) in common.as_object().into_iter().flatten() {
        id_claims.insert(k.clone(), v.clone());
    }
    id_claims.insert("aud".into(), json!(sign_in.client_id));
    id_claims.insert("token_use".into(), json!("id"));
    id_claims.insert("cognito:username".into(), json!(user.username));
    id_claims.insert("exp".into(), json!(now + lifetimes.id));
    id_claims.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
    let mut access_claims = common.as_object().cloned().unwrap_or_default();
    access_claims.insert("client_id".into(), json!(sign_in.client_id));
    access_claims.insert("token_use".into(), json!("access"));
    let scope = sign_in
        .oauth
        .as_ref()
        .map_or_else(|| "aws.cognito.signin.user.admin".to_owned(), |g| g.scopes.join(" "));
    access_claims.insert("scope".into(), json!(scope));
    access_claims.insert("version".into(), json!(2));
    if let Some(nonce) = sign_in.oauth.as_ref().and_then(|g| g.nonce.as_ref()) {
        id_claims.insert("nonce".into(), json!(nonce));
    }
    access_claims.insert("username".into(), json!(user.username));
    access_claims.insert("exp".into(), json!(now + lifetimes.access));
    access_claims.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
    if !sign_in.groups.is_empty() {
        id_claims.insert("cognito:groups".into(), json!(sign_in.groups));
        access_claims.insert("cognito:groups".into(), json!(sign_in.groups));
    }

    let refresh_token = if with_refresh {
        let mut raw = [0u8; 48];
        crate::ids::fill(&mut raw);
        let token = b64(&raw);
        let record = RefreshRecord {
            token_hash: refresh_hash(&token),
            pool_id: user.pool_id.clone(),
            client_id: sign_in.client_id.to_owned(),
            user_key: user.key.clone(),
            origin_jti: sign_in.origin_jti.clone(),
            auth_time: sign_in.auth_time,
            expires_ms: (now + lifetimes.refresh).saturating_mul(1000),
            revoked_ms: None,
            rotated_ms: None,
            scopes: sign_in.oauth.as_ref().map(|g| g.scopes.join(" ")),
        };
        svc.store.insert_refresh_token(&record).await.map_err(crate::services::internal)?;
        Some(token)
    } else {
        None
    };
    if let Some(overrides) = &sign_in.overrides {
        overrides.apply(&mut id_claims, &mut access_claims);
    }
    let access_token = keys::sign_jwt(kid, key, &Value::Object(access_claims));
    let with_id = sign_in.oauth.as_ref().is_none_or(|g| g.has("openid"));
    if sign_in.oauth.is_some() {
        id_claims.insert("at_hash".into(), json!(at_hash(&access_token)));
    }
    Ok(Issued {
        id_token: with_id.then(|| keys::sign_jwt(kid, key, &Value::Object(id_claims))),
        access_token,
        refresh_token,
        expires_in: lifetimes.access,
    })
}

/// OIDC's `at_hash`: the left half of the SHA-256 of the access token, base64url (RS256, ES256).
fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    b64(&digest[..16])
}

/// An access token for an app client itself (the `client_credentials` grant): `sub` and
/// `client_id` are the client, `scope` its custom scopes; no user, no ID or refresh token.
///
/// # Errors
/// `InternalErrorException` if the pool's key cannot be made or opened.
pub async fn issue_for_client(
    svc: &Services,
    pool_id: &str,
    client_id: &str,
    scopes: &[String],
    lifetime: i64,
) -> Result<Issued, CognitoError> {
    let now = crate::services::now_ms() / 1000;
    let signing = svc.keys.current(svc, pool_id).await?;
    let claims = json!({
        "sub": client_id, "client_id": client_id, "token_use": "access", "scope": scopes.join(" "),
        "auth_time": now, "iss": issuer(svc, pool_id), "exp": now + lifetime, "iat": now, "version": 2,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    Ok(Issued {
        id_token: None,
        access_token: keys::sign_jwt(&signing.0, &signing.1, &claims),
        refresh_token: None,
        expires_in: lifetime,
    })
}

/// The claims of a verified access token.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// The pool (from `iss`).
    pub pool_id: String,
    /// `username`.
    pub username: String,
    /// `sub`: a user deleted and made again under the same name is another user.
    pub sub: String,
    /// `client_id`.
    pub client_id: String,
    /// `origin_jti`.
    pub origin_jti: String,
    /// `scope`, space-separated.
    pub scope: String,
}

/// The clock skew allowed on a token's `exp`, `nbf` and `iat`.
const TOKEN_SKEW: std::time::Duration = std::time::Duration::from_secs(30);

fn not_authorized(message: &str) -> CognitoError {
    CognitoError::new(Exception::NotAuthorized, message)
}

/// Verifies an access token presented to a Cognate API: signature by one of the pool's keys, `iss`
/// of this server, `token_use` access, not expired, and its sign-in not revoked.
///
/// # Errors
/// `NotAuthorizedException` for anything else.
pub async fn verify_access(svc: &Services, token: &str) -> Result<AccessToken, CognitoError> {
    let invalid = || not_authorized("Invalid Access Token");
    // cognate-jwt, the edge's fuzzed verifier: size cap, three base64url parts, no `alg: none` or
    // HMAC, no `crit`; the key's own algorithm; exp, nbf and iat with a small skew.
    let unverified = cognate_jwt::Unverified::parse(token).map_err(|_| invalid())?;
    let iss = unverified.claims().iss.clone().ok_or_else(invalid)?;
    let pool_id = iss.rsplit('/').next().unwrap_or("").to_owned();
    if iss != issuer(svc, &pool_id) {
        return Err(invalid());
    }
    let kid = unverified.header().kid.clone().ok_or_else(invalid)?;
    let (algorithm, key) = svc.keys.public_key(svc, &pool_id, &kid).await?.ok_or_else(invalid)?;
    let now = crate::services::now_ms() as f64 / 1000.0;
    let backend = cognate_jwt::RustCrypto;
    let claims = cognate_jwt::verify_with_key(unverified, &backend, algorithm, &key, now, TOKEN_SKEW)
        .await
        .map_err(|e| match e {
            cognate_jwt::Error::Expired { .. } => not_authorized("Access Token has expired"),
            _ => invalid(),
        })?
        .into_inner();
    if claims.token_use() != Some(cognate_jwt::TokenUse::Access) {
        return Err(invalid());
    }
    let origin_jti = claims.origin_jti.ok_or_else(invalid)?;
    if svc.store.origin_revoked(&origin_jti).await.map_err(crate::services::internal)? {
        return Err(not_authorized("Access Token has been revoked"));
    }
    Ok(AccessToken {
        pool_id,
        username: claims.username.ok_or_else(invalid)?,
        sub: claims.sub.ok_or_else(invalid)?,
        client_id: claims.client_id.ok_or_else(invalid)?,
        origin_jti,
        scope: claims.scope.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests;
