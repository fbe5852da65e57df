//! What a signed-in user (or an admin, for them) does with tokens: GetUser, GlobalSignOut,
//! AdminUserGlobalSignOut, RevokeToken.

use cognate_proto::{CognitoError, Exception};
use serde_json::{Value, json};

use super::{Request, Services, internal, now_ms};
use crate::domain::pools::{PoolSettings, load as load_pool};
use crate::domain::users::{attributes_json, resolve};
use crate::store::{PoolRecord, UserRecord};
use crate::tokens::{AccessToken, refresh_hash, verify_access};

/// A request's `AccessToken`, verified, with its pool and user.
pub(super) struct SignedIn {
    /// The token's claims.
    pub(super) token: AccessToken,
    /// The pool.
    pub(super) pool: PoolRecord,
    /// The pool's settings.
    pub(super) settings: PoolSettings,
    /// The user, still there and enabled.
    pub(super) user: UserRecord,
}

/// The user a request's `AccessToken` belongs to.
///
/// # Errors
/// `NotAuthorizedException` for a bad, expired or revoked token, a deleted or disabled user.
pub(super) async fn signed_in(svc: &Services, req: &Request) -> Result<SignedIn, CognitoError> {
    let token = verify_access(svc, &req.string("AccessToken")?).await?;
    let (pool, settings) = load_pool(svc, &token.pool_id).await?;
    let user = resolve(svc, &pool, &settings, &token.username)
        .await
        .ok()
        .filter(|u| u.sub == token.sub)
        .ok_or_else(|| CognitoError::new(Exception::NotAuthorized, "Access Token has been revoked"))?;
    if !user.enabled {
        return Err(CognitoError::new(Exception::NotAuthorized, "User is disabled."));
    }
    Ok(SignedIn { token, pool, settings, user })
}

/// GetUser.
pub async fn get_user(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let SignedIn { user, .. } = signed_in(svc, &req).await?;
    let (mfa_list, preferred) = crate::domain::mfa::user_settings(svc, &user).await?;
    let mut out = json!({ "Username": user.username, "UserAttributes": attributes_json(&user), "UserMFASettingList": mfa_list });
    if let Some(p) = preferred {
        out["PreferredMfaSetting"] = json!(p);
    }
    Ok(out)
}

/// GlobalSignOut: every refresh token of the user stops working, and the access tokens of those
/// sign-ins with them.
pub async fn global_sign_out(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let SignedIn { token, user, .. } = signed_in(svc, &req).await?;
    svc.store.revoke_refresh_tokens(&token.pool_id, &user.key, None, now_ms()).await.map_err(internal)?;
    Ok(json!({}))
}

/// AdminUserGlobalSignOut.
pub async fn admin_global_sign_out(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool_id, username) = (req.string("UserPoolId")?, req.string("Username")?);
    let (pool, settings) = load_pool(svc, &pool_id).await?;
    let user = resolve(svc, &pool, &settings, &username).await?;
    svc.store.revoke_refresh_tokens(&pool.id, &user.key, None, now_ms()).await.map_err(internal)?;
    Ok(json!({}))
}

/// RevokeToken: the refresh token, and the access tokens issued with it, stop working.
pub async fn revoke_token(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (token, client_id) = (req.string("Token")?, req.string("ClientId")?);
    let client = svc.store.client(&client_id).await.map_err(internal)?.ok_or_else(|| {
        CognitoError::new(
            Exception::ResourceNotFound,
            format!("User pool client {client_id} does not exist."),
        )
    })?;
    if let Some(secret) = crate::domain::clients::secret(svc, &client)?
        && !crate::domain::clients::secret_matches(&secret, req.opt_string("ClientSecret")?.as_deref())
    {
        return Err(CognitoError::new(Exception::NotAuthorized, "Client secret is incorrect."));
    }
    // An unknown or foreign token is answered like a revoked one (RFC 7009 §2.2).
    if let Some(record) = svc.store.refresh_token(&refresh_hash(&token)).await.map_err(internal)?
        && record.client_id == client.id
    {
        svc.store
            .revoke_refresh_tokens(&record.pool_id, &record.user_key, Some(&record.origin_jti), now_ms())
            .await
            .map_err(internal)?;
    }
    Ok(json!({}))
}
