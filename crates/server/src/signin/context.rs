//! What a sign-in runs under (the pool, the app client and their settings), and what every flow
//! shares: the client's checks (flows allowed, SECRET_HASH), finding the user, the lockout after
//! failed attempts, and issuing tokens.

use std::collections::BTreeMap;

use cognate_proto::auth::param;
use cognate_proto::{CognitoError, Exception};
use serde_json::{Value, json};

use crate::domain::attributes::Writer;
use crate::domain::clients::{ClientSettings, load as load_client, seconds};
use crate::domain::pools::{PoolSettings, load as load_pool};
use crate::domain::users::resolve;
use crate::services::{Services, internal, now_ms};
use crate::store::{ClientRecord, PoolRecord, UserRecord};
use crate::tokens::{Lifetimes, SignIn, issue};
use crate::triggers::events::notify;

pub(super) fn wrong_password() -> CognitoError {
    CognitoError::new(Exception::NotAuthorized, "Incorrect username or password.")
}

/// The pool, app client and their settings a flow runs under.
pub struct Context {
    /// The pool.
    pub pool: PoolRecord,
    /// Its settings.
    pub settings: PoolSettings,
    /// The app client.
    pub client: ClientRecord,
    /// Its settings.
    pub client_settings: ClientSettings,
    /// A sign-in on the managed login pages: the server itself is the client (no ExplicitAuthFlows
    /// or SECRET_HASH to check), and a finished sign-in answers [`signed_in`]'s marker, from which
    /// the pages make an authorization code, instead of tokens.
    pub hosted: bool,
}

/// The context of a sign-in (or another request) by app client `client_id`, in pool `pool_id` when
/// the caller names it (the admin operations), else in the client's own pool.
///
/// # Errors
/// `ResourceNotFoundException` for an unknown client or pool.
pub async fn context(
    svc: &Services,
    client_id: &str,
    pool_id: Option<&str>,
) -> Result<Context, CognitoError> {
    let pool_id = if let Some(pool_id) = pool_id {
        pool_id.to_owned()
    } else {
        let found = svc.store.client(client_id).await.map_err(internal)?;
        found.map(|c| c.pool_id).ok_or_else(|| {
            CognitoError::new(
                Exception::ResourceNotFound,
                format!("User pool client {client_id} does not exist."),
            )
        })?
    };
    let (pool, settings) = load_pool(svc, &pool_id).await?;
    let client = load_client(svc, &pool.id, client_id).await?;
    let client_settings = serde_json::from_value(client.doc.clone())
        .map_err(|e| internal(crate::store::StoreError::Backend(e.to_string())))?;
    Ok(Context { pool, settings, client, client_settings, hosted: false })
}

/// The user a hosted sign-in's answer says signed in (every factor checked), if it says so.
#[must_use]
pub fn signed_in(answer: &Value) -> Option<&str> {
    answer.get("SignedIn").and_then(|s| s.get("UserKey")).and_then(Value::as_str)
}

impl Context {
    /// Whether the client hides which users exist (`PreventUserExistenceErrors` ENABLED).
    pub fn hides_users(&self) -> bool {
        self.client_settings.prevent_user_existence_errors == "ENABLED"
    }

    /// The error for a user who does not exist: a wrong password's when the client hides users.
    pub fn unknown_user(&self) -> CognitoError {
        if self.hides_users() { wrong_password() } else { crate::domain::users::user_not_found() }
    }

    /// This client as a writer of user attributes.
    pub fn writer(&self) -> Writer<'_> {
        Writer::Client(self.client_settings.write_attributes.as_deref())
    }

    /// The token lifetimes the client sets.
    pub fn lifetimes(&self) -> Lifetimes {
        let (s, u) = (&self.client_settings, &self.client_settings.token_validity_units);
        Lifetimes {
            id: seconds(s.id_token_validity, &u.id_token),
            access: seconds(s.access_token_validity, &u.access_token),
            refresh: seconds(s.refresh_token_validity, &u.refresh_token),
        }
    }

    /// Whether the client may use `flow` (its `ExplicitAuthFlows`, new or legacy names).
    pub(super) fn allows(&self, flow: &str) -> Result<(), CognitoError> {
        if self.hosted && matches!(flow, "USER_PASSWORD_AUTH" | "USER_AUTH") {
            return Ok(());
        }
        let flows = &self.client_settings.explicit_auth_flows;
        let has = |name: &str| flows.iter().any(|f| f == name);
        let legacy = !flows.iter().any(|f| f.starts_with("ALLOW_"));
        let ok = match flow {
            "USER_SRP_AUTH" => has("ALLOW_USER_SRP_AUTH") || (legacy && !has("CUSTOM_AUTH_FLOW_ONLY")),
            "USER_PASSWORD_AUTH" => has("ALLOW_USER_PASSWORD_AUTH") || has("USER_PASSWORD_AUTH"),
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
                has("ALLOW_ADMIN_USER_PASSWORD_AUTH") || has("ADMIN_NO_SRP_AUTH")
            }
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => has("ALLOW_REFRESH_TOKEN_AUTH") || legacy,
            "USER_AUTH" => has("ALLOW_USER_AUTH"),
            "CUSTOM_AUTH" => has("ALLOW_CUSTOM_AUTH") || has("CUSTOM_AUTH_FLOW_ONLY") || legacy,
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(CognitoError::new(
                Exception::InvalidParameter,
                format!("{flow} flow not enabled for this client"),
            ))
        }
    }

    /// `SECRET_HASH` for clients with a secret, computed over `username`.
    pub(super) fn check_secret_hash(
        &self,
        svc: &Services,
        params: &BTreeMap<String, String>,
        username: &str,
    ) -> Result<(), CognitoError> {
        self.check_secret(svc, params.get(param::SECRET_HASH).map(String::as_str), username)
    }

    /// `SECRET_HASH` / `SecretHash` for clients with a secret, computed over `username`.
    pub fn check_secret(
        &self,
        svc: &Services,
        given: Option<&str>,
        username: &str,
    ) -> Result<(), CognitoError> {
        if self.hosted {
            return Ok(());
        }
        let Some(secret) = crate::domain::clients::secret(svc, &self.client)? else { return Ok(()) };
        let id = &self.client.id;
        let Some(given) = given else {
            return Err(CognitoError::new(
                Exception::NotAuthorized,
                format!("Client {id} is configured for secret but secret was not received"),
            ));
        };
        let secret = String::from_utf8_lossy(&secret);
        if cognate_srp::secret_hash::verify(given, &secret, username, id) {
            Ok(())
        } else {
            Err(CognitoError::new(
                Exception::NotAuthorized,
                format!("Unable to verify secret hash for client {id}"),
            ))
        }
    }

    /// Tokens for `user`, every factor checked.
    pub async fn tokens(&self, svc: &Services, user: &UserRecord) -> Result<Value, CognitoError> {
        let client = Some(self.client.id.as_str());
        let post = crate::triggers::Trigger::PostAuthentication;
        notify(svc, &self.settings, post, "PostAuthentication_Authentication", user, client, json!({}))
            .await?;
        if self.hosted {
            return Ok(json!({ "SignedIn": { "UserKey": user.key } }));
        }
        let groups = group_names(svc, &self.pool.id, &user.key).await?;
        let overrides = self
            .overrides(
                svc,
                user,
                "TokenGeneration_Authentication",
                &groups,
                &["aws.cognito.signin.user.admin".into()],
            )
            .await?;
        let sign_in = SignIn {
            user,
            groups,
            client_id: &self.client.id,
            auth_time: now_ms() / 1000,
            origin_jti: uuid::Uuid::new_v4().to_string(),
            oauth: None,
            overrides,
        };
        let issued = issue(svc, &sign_in, self.lifetimes(), true).await?;
        Ok(json!({ "ChallengeParameters": {}, "AuthenticationResult": issued.json() }))
    }

    /// What the pool's pre token generation trigger changes in `user`'s tokens from this client.
    ///
    /// # Errors
    /// The trigger's refusal or failure.
    pub async fn overrides(
        &self,
        svc: &Services,
        user: &UserRecord,
        source: &str,
        groups: &[String],
        scopes: &[String],
    ) -> Result<Option<crate::tokens::Overrides>, CognitoError> {
        crate::triggers::events::pre_token(svc, &self.settings, user, &self.client.id, source, groups, scopes)
            .await
    }

    /// The pool's pre authentication trigger for `user`, before their first factor is checked.
    ///
    /// # Errors
    /// The trigger's refusal or failure.
    pub async fn pre_authentication(&self, svc: &Services, user: &UserRecord) -> Result<(), CognitoError> {
        let pre = crate::triggers::Trigger::PreAuthentication;
        let extra = json!({ "validationData": null, "userNotFound": false });
        notify(
            svc,
            &self.settings,
            pre,
            "PreAuthentication_Authentication",
            user,
            Some(&self.client.id),
            extra,
        )
        .await
    }
}

/// A user's group names, by precedence (lowest first), for the tokens' `cognito:groups`.
///
/// # Errors
/// `InternalErrorException` when the store fails.
pub async fn group_names(svc: &Services, pool_id: &str, user_key: &str) -> Result<Vec<String>, CognitoError> {
    let page = svc.store.groups_of(pool_id, user_key, None, 100).await.map_err(internal)?;
    let mut groups = page.items;
    groups.sort_by_key(|g| (g.precedence.unwrap_or(i64::MAX), g.name.clone()));
    Ok(groups.into_iter().map(|g| g.name).collect())
}

/// Refuses a user locked out by failed sign-ins; returns the failures so far.
pub(super) async fn check_lockout(svc: &Services, user: &UserRecord) -> Result<i64, CognitoError> {
    let (failures, locked_until) =
        svc.store.sign_in_failures(&user.pool_id, &user.key).await.map_err(internal)?;
    if locked_until > now_ms() {
        return Err(CognitoError::new(Exception::NotAuthorized, "Password attempts exceeded"));
    }
    Ok(failures)
}

/// The lockout after `failures` failed sign-ins: none for the first four, then 1 s doubling to 15 min.
pub(super) fn lockout_ms(failures: i64) -> i64 {
    if failures < 5 { 0 } else { (1000i64 << (failures - 5).min(20)).min(15 * 60 * 1000) }
}

/// A wrong password for a user who does not exist, answered as for one who does: the same lockout
/// (counted under the name asked for), the same message.
pub(super) async fn unknown_failed(svc: &Services, pool_id: &str, asked: &str) -> CognitoError {
    match svc.store.sign_in_failures(pool_id, asked).await {
        Ok((_, locked_until)) if locked_until > now_ms() => {
            return CognitoError::new(Exception::NotAuthorized, "Password attempts exceeded");
        }
        Ok(_) => {}
        Err(err) => return internal(err),
    }
    if let Err(err) = svc.store.record_failure(pool_id, asked, now_ms(), lockout_ms).await {
        return internal(err);
    }
    wrong_password()
}

/// Counts a wrong password and answers as Cognito does.
pub(super) async fn failed(svc: &Services, user: &UserRecord) -> CognitoError {
    if let Err(err) = svc.store.record_failure(&user.pool_id, &user.key, now_ms(), lockout_ms).await {
        return internal(err);
    }
    wrong_password()
}

/// Clears the failure count after a good password.
pub(super) async fn succeeded(svc: &Services, user: &UserRecord, failures: i64) -> Result<(), CognitoError> {
    if failures > 0 {
        svc.store.clear_failures(&user.pool_id, &user.key).await.map_err(internal)?;
    }
    Ok(())
}

pub(super) fn param<'p>(params: &'p BTreeMap<String, String>, name: &str) -> Result<&'p str, CognitoError> {
    params.get(name).map(String::as_str).ok_or_else(|| {
        CognitoError::new(Exception::InvalidParameter, format!("Missing required parameter {name}"))
    })
}

pub(super) async fn find_user(
    svc: &Services,
    ctx: &Context,
    username: &str,
) -> Result<Option<UserRecord>, CognitoError> {
    match resolve(svc, &ctx.pool, &ctx.settings, username).await {
        Ok(user) => Ok(Some(user)),
        Err(e) if e.kind == Exception::UserNotFound => Ok(None),
        Err(e) => Err(e),
    }
}

pub(super) fn enabled(user: &UserRecord) -> Result<(), CognitoError> {
    if user.enabled { Ok(()) } else { Err(CognitoError::new(Exception::NotAuthorized, "User is disabled.")) }
}
