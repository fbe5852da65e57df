//! User migration: a password sign-in (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, the managed
//! login page) or a ForgotPassword that names a user the pool does not have asks the pool's
//! UserMigration trigger, and a user it knows is created here and the call goes on with them. Only
//! flows that carry the password can migrate with it (an SRP sign-in cannot).

use cognate_proto::CognitoError;

use super::context::Context;
use crate::domain::schema::{check_attributes, normalize_booleans};
use crate::domain::users::{Writing, aliases, seal_verifier, user_conflict, username_key};
use crate::services::{Services, now_ms};
use crate::store::UserRecord;
use crate::triggers::{Trigger, events, is_configured};

/// The user `username` migrated from the old system through the trigger (`source`
/// `UserMigration_Authentication` with the `password`, `UserMigration_ForgotPassword` without), or
/// `None` when the pool has no such trigger or the old system does not know them either.
///
/// # Errors
/// The trigger's refusal or failure; attributes the pool refuses.
pub async fn migrate(
    svc: &Services,
    ctx: &Context,
    username: &str,
    password: Option<&str>,
    source: &str,
) -> Result<Option<UserRecord>, CognitoError> {
    if !is_configured(&ctx.settings, Trigger::UserMigration) {
        return Ok(None);
    }
    let client = Some(ctx.client.id.as_str());
    let Some(migrated) =
        events::migrate(svc, &ctx.settings, &ctx.pool.id, source, username, client, password).await?
    else {
        return Ok(None);
    };
    let mut attrs = migrated.attributes;
    attrs.remove("sub");
    attrs.remove("cognito:user_status");
    normalize_booleans(&ctx.settings.schema, &mut attrs);
    check_attributes(&ctx.settings.schema, &attrs)?;
    let sub = crate::ids::sub();
    // In a pool whose usernames are emails or phone numbers the user is known by the sub, and the
    // name typed is their email (or phone number).
    let name = if ctx.settings.username_attributes.is_empty() {
        username.to_owned()
    } else {
        let kind = if username.contains('@') { "email" } else { "phone_number" };
        attrs.entry(kind.to_owned()).or_insert_with(|| username.to_owned());
        sub.clone()
    };
    attrs.insert("sub".to_owned(), sub.clone());
    let now = now_ms();
    let mut user = UserRecord {
        pool_id: ctx.pool.id.clone(),
        key: username_key(&ctx.settings, &name),
        username: name,
        sub,
        status: migrated.status,
        enabled: true,
        aliases: aliases(&ctx.settings, &attrs),
        attributes: attrs,
        verifier: None,
        created_ms: now,
        modified_ms: now,
    };
    // The old system's password is kept as it is: the pool's policy is not applied to it (Cognito).
    if let Some(password) = password {
        user.verifier = Some(seal_verifier(svc, &ctx.pool, &user, password)?);
    }
    svc.store
        .insert_user(&user, &[], &[])
        .await
        .map_err(|e| user_conflict(&ctx.settings.username_attributes, Writing::SelfService, e))?;
    Ok(Some(user))
}
