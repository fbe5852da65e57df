//! New tokens from a refresh token: `REFRESH_TOKEN_AUTH` in InitiateAuth, and GetTokensFromRefreshToken,
//! which rotates the refresh token when the app client asks for it (the old one keeps working for the
//! client's grace period, then reusing it is `RefreshTokenReuseException`).

use cognate_proto::{CognitoError, Exception};
use serde_json::{Value, json};

use super::context::{Context, group_names};
use crate::services::{Services, internal, now_ms};
use crate::tokens::{SignIn, issue, refresh_hash};

/// How the client proves it holds its secret (for clients with one).
pub enum Proof<'a> {
    /// `SECRET_HASH` over the username (InitiateAuth).
    SecretHash(Option<&'a str>),
    /// The client secret itself (GetTokensFromRefreshToken).
    ClientSecret(Option<&'a str>),
}

fn invalid() -> CognitoError {
    CognitoError::new(Exception::NotAuthorized, "Invalid Refresh Token")
}

/// New ID and access tokens (and, when `rotate`, a new refresh token) from `token`.
pub async fn refresh(
    svc: &Services,
    ctx: &Context,
    token: &str,
    proof: Proof<'_>,
    rotate: bool,
) -> Result<Value, CognitoError> {
    let hash = refresh_hash(token);
    let record = svc.store.refresh_token(&hash).await.map_err(internal)?.ok_or_else(invalid)?;
    if record.client_id != ctx.client.id || record.pool_id != ctx.pool.id {
        return Err(invalid());
    }
    if record.revoked_ms.is_some() {
        return Err(CognitoError::new(Exception::NotAuthorized, "Refresh Token has been revoked"));
    }
    let now = now_ms();
    if record.expires_ms <= now {
        return Err(CognitoError::new(Exception::NotAuthorized, "Refresh Token has expired"));
    }
    let user = svc.store.user(&ctx.pool.id, &record.user_key).await.map_err(internal)?.ok_or_else(invalid)?;
    match proof {
        Proof::SecretHash(given) => ctx.check_secret(svc, given, &user.username)?,
        Proof::ClientSecret(given) => check_client_secret(svc, ctx, given)?,
    }
    if !user.enabled {
        return Err(CognitoError::new(Exception::NotAuthorized, "User is disabled."));
    }
    let rotation = ctx.client_settings.refresh_token_rotation.as_ref().filter(|r| r.feature == "ENABLED");
    let rotate = rotate && rotation.is_some();
    if let Some(rotated) = record.rotated_ms {
        let grace_ms = rotation.and_then(|r| r.retry_grace_period_seconds).unwrap_or(0) * 1000;
        if now > rotated.saturating_add(grace_ms) {
            return Err(CognitoError::new(
                Exception::RefreshTokenReuse,
                "The refresh token has already been used.",
            ));
        }
    }
    let groups = group_names(svc, &ctx.pool.id, &user.key).await?;
    let scopes: Vec<String> = record.scopes.as_deref().map_or_else(
        || vec!["aws.cognito.signin.user.admin".to_owned()],
        |s| s.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
    );
    let overrides = ctx.overrides(svc, &user, "TokenGeneration_RefreshTokens", &groups, &scopes).await?;
    let sign_in = SignIn {
        user: &user,
        groups,
        overrides,
        client_id: &ctx.client.id,
        auth_time: record.auth_time,
        origin_jti: record.origin_jti.clone(),
        // An OAuth sign-in's tokens keep the scopes it was granted (a nonce is for the first ID token only).
        oauth: record.scopes.as_ref().map(|s| crate::tokens::Grant {
            scopes: s.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            nonce: None,
        }),
    };
    let issued = issue(svc, &sign_in, ctx.lifetimes(), rotate).await?;
    if rotate && record.rotated_ms.is_none() {
        svc.store.mark_rotated(&hash, now).await.map_err(internal)?;
    }
    Ok(json!({ "ChallengeParameters": {}, "AuthenticationResult": issued.json() }))
}

fn check_client_secret(svc: &Services, ctx: &Context, given: Option<&str>) -> Result<(), CognitoError> {
    let Some(secret) = crate::domain::clients::secret(svc, &ctx.client)? else { return Ok(()) };
    let id = &ctx.client.id;
    if crate::domain::clients::secret_matches(&secret, given) {
        Ok(())
    } else {
        Err(CognitoError::new(
            Exception::NotAuthorized,
            format!("Client {id} is configured for secret but secret was not received or is wrong"),
        ))
    }
}
