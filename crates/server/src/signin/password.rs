//! The password as a first factor: SRP (`USER_SRP_AUTH`, PASSWORD_VERIFIER) and the plain password
//! (`USER_PASSWORD_AUTH`, `ADMIN_USER_PASSWORD_AUTH`), and the stand-ins that make an unknown user
//! look like a known one with a wrong password when the client hides which users exist.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognate_proto::CognitoError;
use cognate_proto::auth::param;
use cognate_srp::{ServerSession, SrpInt, Verifier};
use serde_json::{Value, json};

use super::challenge::{CHALLENGE_TTL_MS, Challenge, seal};
use super::context::{
    Context, check_lockout, enabled, failed, find_user, param, unknown_failed, wrong_password,
};
use crate::domain::users::{open_verifier, username_key};
use crate::services::{Services, now_ms};
use crate::store::UserRecord;

/// Checks `password` for `user` (None: unknown) and goes on to MFA or tokens.
pub(super) async fn password_sign_in(
    svc: &Services,
    ctx: &Context,
    username: &str,
    user: Option<UserRecord>,
    password: &str,
) -> Result<Value, CognitoError> {
    let pool_name = cognate_srp::pool_name(&ctx.pool.id).map_err(CognitoError::from)?;
    let user = match user {
        Some(user) => Some(user),
        None => super::migrate(svc, ctx, username, Some(password), "UserMigration_Authentication").await?,
    };
    let Some(user) = user else {
        if !ctx.hides_users() {
            return Err(ctx.unknown_user());
        }
        // The password work a real user's check costs, then the lockout and answer a real user gets.
        let asked = stand_in_id(svc, ctx, username);
        let salt = stand_in_salt(svc, &ctx.pool.id, &asked);
        let _ = Verifier::with_salt(salt, pool_name, &asked, password);
        return Err(unknown_failed(svc, &ctx.pool.id, &asked).await);
    };
    ctx.pre_authentication(svc, &user).await?;
    let failures = check_lockout(svc, &user).await?;
    let verifier = open_verifier(svc, &user).ok_or_else(wrong_password)?;
    if !verifier.matches(pool_name, &user.username, password) {
        return Err(failed(svc, &user).await);
    }
    enabled(&user)?;
    super::mfa::finish(svc, ctx, user, failures).await
}

/// USER_SRP_AUTH's first step; `custom` carries CUSTOM_AUTH's state when its define trigger asked
/// for the password (its pre authentication already ran).
pub(super) async fn srp_start(
    svc: &Services,
    ctx: &Context,
    params: &BTreeMap<String, String>,
    custom: Option<Value>,
) -> Result<Value, CognitoError> {
    let username = param(params, param::USERNAME)?;
    let srp_a = param(params, param::SRP_A)?;
    ctx.check_secret_hash(svc, params, username)?;
    let pool_name = cognate_srp::pool_name(&ctx.pool.id).map_err(CognitoError::from)?;
    let user = find_user(svc, ctx, username).await?;
    if let Some(user) = user.as_ref().filter(|_| custom.is_none()) {
        ctx.pre_authentication(svc, user).await?;
    }
    let (verifier, user_id, key) = match &user {
        Some(u) => (open_verifier(svc, u), u.username.clone(), Some(u.key.clone())),
        None => (None, stand_in_id(svc, ctx, username), None),
    };
    let verifier = match (verifier, &key) {
        (Some(v), _) => v,
        (None, Some(_)) => return Err(wrong_password()),
        (None, None) if !ctx.hides_users() => return Err(crate::domain::users::user_not_found()),
        // An unknown user gets a challenge like anyone's: a salt that is the same on every attempt
        // (derived from the name), and a B from a random verifier; the answer then fails as a wrong
        // password does.
        (None, None) => {
            let salt = stand_in_salt(svc, &ctx.pool.id, &user_id);
            let mut noise = [0u8; 32];
            crate::ids::fill(&mut noise);
            Verifier::with_salt(salt, pool_name, &user_id, &STANDARD.encode(noise))
        }
    };
    let session = ServerSession::start(srp_a, &verifier).map_err(CognitoError::from)?;
    let b_hex: String = session.private_b().iter().map(|b| format!("{b:02x}")).collect();
    let challenge = Challenge {
        id: uuid::Uuid::new_v4().to_string(),
        pool: ctx.pool.id.clone(),
        client: ctx.client.id.clone(),
        asked: key.is_none().then(|| user_id.clone()),
        user: key,
        name: "PASSWORD_VERIFIER".to_owned(),
        srp_a: Some(srp_a.to_owned()),
        b: Some(b_hex),
        srp_b: Some(session.srp_b()),
        expires_ms: now_ms() + CHALLENGE_TTL_MS,
        step: None,
        code: None,
        custom,
    };
    let block = seal(svc, &challenge);
    Ok(json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "Session": block,
        "ChallengeParameters": {
            "SALT": verifier.salt.to_hex(),
            "SRP_B": session.srp_b(),
            "SECRET_BLOCK": block,
            "USER_ID_FOR_SRP": user_id,
            "USERNAME": user_id,
        },
    }))
}

pub(super) fn stand_in_work(challenge: &Challenge) {
    let b = challenge.b.as_deref().and_then(|b| SrpInt::from_hex("b", b).ok());
    let (Some(b), Some(srp_a), Some(srp_b)) = (b, challenge.srp_a.as_deref(), challenge.srp_b.as_deref())
    else {
        return;
    };
    let mut noise = [0u8; 32];
    crate::ids::fill(&mut noise);
    if let Ok(v) = SrpInt::from_be_bytes("v", &noise)
        && let Ok(session) = ServerSession::resume_with_b(srp_a, &v, &b, srp_b)
    {
        let _ = session.verify_claim("pool", "user", &noise, "stamp", "signature");
    }
}

/// The USER_ID_FOR_SRP an unknown user's challenge carries: in a pool whose username is the email
/// or phone number, real users' is their `sub`, so an unknown one gets a UUID of the same shape,
/// derived from the name (the same on every attempt); elsewhere the name as asked.
fn stand_in_id(svc: &Services, ctx: &Context, username: &str) -> String {
    let asked = username_key(&ctx.settings, username);
    if ctx.settings.username_attributes.is_empty() {
        return asked;
    }
    let parts: [&[u8]; 4] = [b"stand-in sub\0", ctx.pool.id.as_bytes(), b"\0", asked.as_bytes()];
    let digest = crate::seal::hmac_sha256(&svc.derived_secret, &parts);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

pub(super) fn stand_in_salt(svc: &Services, pool_id: &str, user_id: &str) -> SrpInt {
    let bytes =
        crate::seal::hmac_sha256(&svc.derived_secret, &[pool_id.as_bytes(), b"\0", user_id.as_bytes()]);
    SrpInt::from_be_bytes("salt", &bytes[..16])
        .unwrap_or_else(|_| SrpInt::from_be_bytes("salt", &[1]).unwrap_or_else(|_| unreachable!()))
}

/// Whether `username` (the username, in any case the pool ignores, or an alias) names the user the
/// challenge was issued to; for a stand-in challenge, the name it was asked for.
pub(super) async fn names_challenge_user(
    svc: &Services,
    ctx: &Context,
    challenge: &Challenge,
    username: &str,
) -> Result<bool, CognitoError> {
    let given = username_key(&ctx.settings, username);
    match (&challenge.user, &challenge.asked) {
        (Some(key), _) if *key == given => Ok(true),
        (Some(key), _) => Ok(find_user(svc, ctx, username).await?.is_some_and(|u| u.key == *key)),
        (None, Some(asked)) => Ok(*asked == given),
        (None, None) => Ok(true),
    }
}
