//! The endpoints for programs: `/oauth2/token` (authorization_code with PKCE, refresh_token,
//! client_credentials; client_secret_basic and client_secret_post), `/oauth2/revoke` (RFC 7009, refresh
//! tokens only, as Cognito) and `/oauth2/userInfo`. Errors are RFC 6749's.

use cognate_proto::Exception;
use serde_json::{Map, Value, json};

use super::authorize::Params;
use super::grant::Code;
use crate::domain::clients::{secret, secret_matches};
use crate::domain::resource_servers::STANDARD_SCOPES;
use crate::services::{Services, now_ms};
use crate::signin::{Context, Proof, context, refresh};
use crate::tokens::{Grant, SignIn, issue, issue_for_client, refresh_hash, verify_access};

/// An RFC 6749 §5.2 error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// HTTP status: 400, or 401 for a failed client authentication.
    pub status: u16,
    /// `invalid_request`, `invalid_client`, `invalid_grant`, ...
    pub error: &'static str,
    /// Why.
    pub description: String,
}

fn refuse(error: &'static str, description: impl Into<String>) -> OAuthError {
    let status = if error == "invalid_client" { 401 } else { 400 };
    OAuthError { status, error, description: description.into() }
}

fn server_error(e: &cognate_proto::CognitoError) -> OAuthError {
    OAuthError { status: 500, error: "server_error", description: e.message.clone() }
}

/// How the client authenticated: `client_secret_basic` (user and password of the Authorization
/// header, already decoded) or the form's `client_id` / `client_secret`.
pub struct ClientAuth {
    /// From the Authorization header.
    pub basic: Option<(String, String)>,
}

/// The client a request authenticates as, with its context; the secret it gave, for the refresh.
async fn authenticate(
    svc: &Services,
    pool_id: &str,
    form: &Params,
    auth: &ClientAuth,
) -> Result<(Context, Option<String>), OAuthError> {
    let form_id = form.get("client_id").filter(|c| !c.is_empty());
    let (client_id, given) = match (&auth.basic, form_id) {
        (Some((id, _)), Some(other)) if id != other => {
            return Err(refuse("invalid_request", "client_id differs from the client authenticated."));
        }
        (Some((id, secret)), _) => (id.clone(), Some(secret.clone())),
        (None, Some(id)) => (id.clone(), form.get("client_secret").cloned()),
        (None, None) => return Err(refuse("invalid_client", "The request names no client.")),
    };
    let ctx = match context(svc, &client_id, Some(pool_id)).await {
        Ok(ctx) => ctx,
        Err(e) if e.kind == Exception::InternalError => return Err(server_error(&e)),
        Err(_) => return Err(refuse("invalid_client", "Unknown client.")),
    };
    let stored = secret(svc, &ctx.client).map_err(|e| server_error(&e))?;
    match (&stored, given.as_deref().filter(|g| !g.is_empty())) {
        (Some(s), g) if !secret_matches(s, g) => {
            Err(refuse("invalid_client", "Client authentication failed."))
        }
        (None, Some(_)) => Err(refuse("invalid_client", "The client has no secret to authenticate with.")),
        _ => Ok((ctx, given)),
    }
}

fn required<'a>(form: &'a Params, name: &str) -> Result<&'a str, OAuthError> {
    form.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| refuse("invalid_request", format!("{name} is required.")))
}

fn token_response(result: &Value) -> Value {
    let r = &result["AuthenticationResult"];
    let mut out = Map::new();
    out.insert("access_token".into(), r["AccessToken"].clone());
    if let Some(id) = r.get("IdToken") {
        out.insert("id_token".into(), id.clone());
    }
    if let Some(refresh) = r.get("RefreshToken") {
        out.insert("refresh_token".into(), refresh.clone());
    }
    out.insert("token_type".into(), json!("Bearer"));
    out.insert("expires_in".into(), r["ExpiresIn"].clone());
    Value::Object(out)
}

/// `POST /oauth2/token` on `pool_id`'s domain.
///
/// # Errors
/// The RFC 6749 error to answer.
pub async fn token(
    svc: &Services,
    pool_id: &str,
    form: &Params,
    auth: &ClientAuth,
) -> Result<Value, OAuthError> {
    let grant_type = required(form, "grant_type")?;
    if !["authorization_code", "refresh_token", "client_credentials"].contains(&grant_type) {
        return Err(refuse("unsupported_grant_type", format!("grant_type {grant_type} is not supported.")));
    }
    let (ctx, given_secret) = authenticate(svc, pool_id, form, auth).await?;
    let settings = &ctx.client_settings;
    let flows = &settings.allowed_oauth_flows;
    match grant_type {
        "authorization_code" => {
            let text = required(form, "code")?;
            let redirect_uri = required(form, "redirect_uri")?;
            if !settings.allowed_oauth_flows_user_pool_client || !flows.iter().any(|f| f == "code") {
                return Err(refuse(
                    "unauthorized_client",
                    "The client may not use the authorization code grant.",
                ));
            }
            let code = Code::redeem(svc, text).await.map_err(|e| server_error(&e))?;
            let Some(code) = code else {
                return Err(refuse("invalid_grant", "The code is unknown, expired or already used."));
            };
            if code.client != ctx.client.id || code.pool != ctx.pool.id || code.redirect_uri != redirect_uri {
                return Err(refuse(
                    "invalid_grant",
                    "The code was issued to another client or redirect_uri.",
                ));
            }
            if !code.verifier_matches(form.get("code_verifier").map(String::as_str)) {
                return Err(refuse("invalid_grant", "code_verifier does not match the code_challenge."));
            }
            let user = svc
                .store
                .user(&ctx.pool.id, &code.user)
                .await
                .map_err(|e| server_error(&crate::services::internal(e)))?;
            let Some(user) = user.filter(|u| u.enabled) else {
                return Err(refuse("invalid_grant", "The user no longer exists or is disabled."));
            };
            let groups = crate::signin::group_names(svc, &ctx.pool.id, &user.key)
                .await
                .map_err(|e| server_error(&e))?;
            let source = "TokenGeneration_HostedAuth";
            let overrides = match ctx.overrides(svc, &user, source, &groups, &code.scopes).await {
                Ok(o) => o,
                Err(e) if e.kind == Exception::InternalError => return Err(server_error(&e)),
                Err(e) => return Err(refuse("invalid_request", e.message)),
            };
            let sign_in = SignIn {
                user: &user,
                groups,
                overrides,
                client_id: &ctx.client.id,
                auth_time: code.auth_time,
                origin_jti: uuid::Uuid::new_v4().to_string(),
                oauth: Some(Grant { scopes: code.scopes.clone(), nonce: code.nonce.clone() }),
            };
            let issued = issue(svc, &sign_in, ctx.lifetimes(), true).await.map_err(|e| server_error(&e))?;
            Ok(token_response(&json!({ "AuthenticationResult": issued.json() })))
        }
        "refresh_token" => {
            let token = required(form, "refresh_token")?;
            let answer = refresh(svc, &ctx, token, Proof::ClientSecret(given_secret.as_deref()), true).await;
            match answer {
                Ok(result) => Ok(token_response(&result)),
                Err(e) if e.kind == Exception::InternalError => Err(server_error(&e)),
                Err(e) => Err(refuse("invalid_grant", e.message)),
            }
        }
        _ => {
            if ctx.client.secret.is_none()
                || !settings.allowed_oauth_flows_user_pool_client
                || !flows.iter().any(|f| f == "client_credentials")
            {
                return Err(refuse(
                    "unauthorized_client",
                    "The client may not use the client_credentials grant.",
                ));
            }
            let custom: Vec<String> = settings
                .allowed_oauth_scopes
                .iter()
                .filter(|s| !STANDARD_SCOPES.contains(&s.as_str()))
                .cloned()
                .collect();
            let scopes = match form.get("scope").filter(|s| !s.trim().is_empty()) {
                None => custom,
                Some(asked) => {
                    let mut out: Vec<String> = Vec::new();
                    for scope in asked.split(' ').filter(|s| !s.is_empty()) {
                        if !custom.iter().any(|c| c == scope) {
                            return Err(refuse("invalid_scope", format!("The client may not have {scope}.")));
                        }
                        if !out.iter().any(|o| o == scope) {
                            out.push(scope.to_owned());
                        }
                    }
                    out
                }
            };
            let lifetime = ctx.lifetimes().access;
            let issued = issue_for_client(svc, &ctx.pool.id, &ctx.client.id, &scopes, lifetime)
                .await
                .map_err(|e| server_error(&e))?;
            Ok(
                json!({ "access_token": issued.access_token, "token_type": "Bearer", "expires_in": issued.expires_in }),
            )
        }
    }
}

/// `POST /oauth2/revoke`: a refresh token and the access tokens issued from it stop working.
/// Cognito revokes refresh tokens only; anything else is `unsupported_token_type`.
///
/// # Errors
/// The RFC 7009 error to answer.
pub async fn revoke(
    svc: &Services,
    pool_id: &str,
    form: &Params,
    auth: &ClientAuth,
) -> Result<(), OAuthError> {
    let token = required(form, "token")?;
    let (ctx, _) = authenticate(svc, pool_id, form, auth).await?;
    if !ctx.client_settings.enable_token_revocation {
        return Err(refuse("invalid_request", "Token revocation is not enabled for this client."));
    }
    let looks_like_jwt = token.split('.').count() == 3;
    if looks_like_jwt || form.get("token_type_hint").is_some_and(|h| h == "access_token") {
        return Err(refuse("unsupported_token_type", "Only refresh tokens can be revoked."));
    }
    let record = svc.store.refresh_token(&refresh_hash(token)).await;
    let record = record.map_err(|e| server_error(&crate::services::internal(e)))?;
    match record {
        // An unknown token is answered as a revoked one (RFC 7009 §2.2).
        None => Ok(()),
        Some(r) if r.client_id != ctx.client.id => {
            Err(refuse("unauthorized_client", "The token was issued to another client."))
        }
        Some(r) => {
            svc.store
                .revoke_refresh_tokens(&r.pool_id, &r.user_key, Some(&r.origin_jti), now_ms())
                .await
                .map_err(|e| server_error(&crate::services::internal(e)))?;
            Ok(())
        }
    }
}

/// The claims a scope releases on userInfo (`openid` alone releases every readable attribute).
fn released(scope: &[&str], attribute: &str) -> bool {
    const PROFILE: [&str; 14] = [
        "name",
        "family_name",
        "given_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "gender",
        "birthdate",
        "zoneinfo",
        "locale",
        "updated_at",
    ];
    let narrowed = scope.iter().any(|s| ["profile", "email", "phone"].contains(s));
    if !narrowed {
        return true;
    }
    (scope.contains(&"profile")
        && (PROFILE.contains(&attribute) || attribute.starts_with("custom:") || attribute == "address"))
        || (scope.contains(&"email") && ["email", "email_verified"].contains(&attribute))
        || (scope.contains(&"phone") && ["phone_number", "phone_number_verified"].contains(&attribute))
}

/// Why a userInfo request is refused: `invalid_request` (400) or `invalid_token` (401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerError {
    /// HTTP status.
    pub status: u16,
    /// For `WWW-Authenticate`.
    pub error: &'static str,
    /// Why.
    pub description: &'static str,
}

/// `GET`/`POST /oauth2/userInfo`: the user's claims as the access token's scopes release them.
/// The token must carry `openid` (tokens from the JSON API do not).
///
/// # Errors
/// The [`BearerError`] to answer.
pub async fn user_info(svc: &Services, pool_id: &str, bearer: Option<&str>) -> Result<Value, BearerError> {
    let invalid = BearerError {
        status: 401,
        error: "invalid_token",
        description: "Access token is expired, disabled, or deleted, or the user has globally signed out.",
    };
    let Some(token) = bearer.filter(|t| !t.is_empty()) else {
        return Err(BearerError { status: 400, error: "invalid_request", description: "No access token." });
    };
    let access = verify_access(svc, token).await.map_err(|_| invalid.clone())?;
    let scopes: Vec<&str> = access.scope.split(' ').collect();
    if access.pool_id != pool_id || !scopes.contains(&"openid") {
        return Err(invalid);
    }
    let Ok((_, settings)) = crate::domain::pools::load(svc, pool_id).await else { return Err(invalid) };
    let key = crate::domain::users::username_key(&settings, &access.username);
    let user = svc.store.user(pool_id, &key).await.ok().flatten().filter(|u| u.sub == access.sub);
    let Some(user) = user.filter(|u| u.enabled) else { return Err(invalid) };
    let readable = context(svc, &access.client_id, Some(pool_id))
        .await
        .ok()
        .and_then(|c| c.client_settings.read_attributes);
    let mut out = Map::new();
    for (name, value) in &user.attributes {
        let may_read = readable.as_ref().is_none_or(|r| r.iter().any(|n| n == name));
        if name != "sub" && may_read && released(&scopes, name) {
            out.insert(name.clone(), json!(value));
        }
    }
    out.insert("sub".into(), json!(user.sub));
    out.insert("username".into(), json!(user.username));
    Ok(Value::Object(out))
}
