//! Sign-in: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge and AdminRespondToAuthChallenge,
//! as one challenge engine. A flow either ends in tokens or answers a challenge whose state travels
//! sealed (in `SECRET_BLOCK` and `Session`), so any server process can take the answer; each
//! challenge can be answered once.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognate_proto::{CognitoError, Exception};
use cognate_srp::{CognitoTimestamp, ServerSession, SrpInt, Verifier};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::attributes::{Writer, check_write};
use crate::domain::clients::{ClientSettings, load as load_client, seconds};
use crate::domain::pools::{PoolSettings, load as load_pool};
use crate::domain::users::{open_verifier, resolve, seal_verifier, username_key};
use crate::services::{Services, internal, now_ms};
use crate::store::{ClientRecord, PoolRecord, UserRecord};
use crate::tokens::{Lifetimes, SignIn, issue};

/// How long a challenge can be answered (Cognito's default auth session: 3 minutes).
const CHALLENGE_TTL_MS: i64 = 3 * 60 * 1000;
/// How far a claim's TIMESTAMP may be from the server's clock.
const TIMESTAMP_SKEW_S: i64 = 15 * 60;

/// A challenge's state, sealed into `SECRET_BLOCK` / `Session`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Challenge {
    /// Single-use id.
    id: String,
    pool: String,
    client: String,
    /// The user's key; `None` for the stand-in challenge answered for unknown users. Left out of the
    /// sealed form when `None`, so a stand-in seals to the same length as a real challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    name: String,
    srp_a: Option<String>,
    /// The server's secret `b`, hex.
    b: Option<String>,
    /// `SRP_B` as sent.
    srp_b: Option<String>,
    expires_ms: i64,
    /// How far a multi-step challenge has come (MFA_SETUP: `verified` once the app's code checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) step: Option<String>,
    /// The code sent for SMS_MFA / EMAIL_OTP: sealed with the rest, so no table holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) code: Option<String>,
    /// For a stand-in challenge, the lookup key of the name it was asked for (an answer must name
    /// the same user, as for anyone). Its sealed name is as long as `user`'s, on purpose.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "anon")]
    asked: Option<String>,
}

impl Challenge {
    /// A fresh challenge `name` for `user` in this context.
    pub(super) fn new(ctx: &Context, user: &UserRecord, name: &str) -> Self {
        Self::new_for(ctx, Some(user), name)
    }

    /// A challenge for a user who does not exist (answered as a wrong password would be), asked for
    /// as `username`.
    pub(super) fn stand_in(ctx: &Context, username: &str, name: &str) -> Self {
        Self { asked: Some(username_key(&ctx.settings, username)), ..Self::new_for(ctx, None, name) }
    }

    fn new_for(ctx: &Context, user: Option<&UserRecord>, name: &str) -> Self {
        Self::fresh(ctx.pool.id.clone(), ctx.client.id.clone(), user.map(|u| u.key.clone()), name)
    }

    fn fresh(pool: String, client: String, user: Option<String>, name: &str) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            pool,
            client,
            user,
            name: name.to_owned(),
            srp_a: None,
            b: None,
            srp_b: None,
            expires_ms: now_ms() + CHALLENGE_TTL_MS,
            step: None,
            code: None,
            asked: None,
        }
    }

    pub(super) fn user_key(&self) -> Option<&str> {
        self.user.as_deref()
    }

    pub(super) fn name(&self) -> &str {
        &self.name
    }

    pub(super) fn pool(&self) -> &str {
        &self.pool
    }

    /// The next challenge of the same sign-in (same pool, client and user), fresh id and expiry.
    pub(super) fn follow(&self, name: &str) -> Self {
        Self::fresh(self.pool.clone(), self.client.clone(), self.user.clone(), name)
    }

    /// Marks this challenge answered, once (any server): false when it already was.
    pub(super) async fn consume(&self, svc: &Services) -> Result<bool, CognitoError> {
        svc.store.consume_challenge(&self.id, self.expires_ms, now_ms()).await.map_err(internal)
    }
}

const CHALLENGE_CONTEXT: &str = "auth-challenge";

/// Sealed challenges are padded (with JSON white space) to a multiple of this many bytes, so their
/// length does not vary with what they hold: a stand-in for an unknown user, or SRP_B's leading zeros.
const SEAL_BUCKET: usize = 1024;

pub(super) fn seal(svc: &Services, challenge: &Challenge) -> String {
    let mut plain = serde_json::to_vec(challenge).unwrap_or_default();
    plain.resize(plain.len().div_ceil(SEAL_BUCKET) * SEAL_BUCKET, b' ');
    STANDARD.encode(svc.sealer.seal(CHALLENGE_CONTEXT, &plain))
}

pub(super) fn invalid_session() -> CognitoError {
    CognitoError::new(Exception::NotAuthorized, "Invalid session for the user, session is expired.")
}

pub(super) fn open(svc: &Services, text: &str) -> Result<Challenge, CognitoError> {
    let sealed = STANDARD.decode(text).map_err(|_| invalid_session())?;
    let plain = svc.sealer.open(CHALLENGE_CONTEXT, &sealed).map_err(|_| invalid_session())?;
    let challenge: Challenge = serde_json::from_slice(&plain).map_err(|_| invalid_session())?;
    if challenge.expires_ms < now_ms() { Err(invalid_session()) } else { Ok(challenge) }
}

fn wrong_password() -> CognitoError {
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
    Ok(Context { pool, settings, client, client_settings })
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
    fn allows(&self, flow: &str) -> Result<(), CognitoError> {
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
    fn check_secret_hash(
        &self,
        svc: &Services,
        params: &BTreeMap<String, String>,
        username: &str,
    ) -> Result<(), CognitoError> {
        self.check_secret(svc, params.get("SECRET_HASH").map(String::as_str), username)
    }

    /// `SECRET_HASH` / `SecretHash` for clients with a secret, computed over `username`.
    pub fn check_secret(
        &self,
        svc: &Services,
        given: Option<&str>,
        username: &str,
    ) -> Result<(), CognitoError> {
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

    /// Tokens for `user`, whose password just checked, or the challenge their status calls for.
    /// `failures` (the failed attempts before this one) are forgotten only when tokens are issued:
    /// a right password followed by wrong MFA codes keeps counting toward the lockout.
    async fn finish(&self, svc: &Services, user: UserRecord, failures: i64) -> Result<Value, CognitoError> {
        match user.status.as_str() {
            "FORCE_CHANGE_PASSWORD" => {
                let challenge = Challenge::new(self, &user, "NEW_PASSWORD_REQUIRED");
                let mut attributes = user.attributes.clone();
                attributes.remove("sub");
                let required: Vec<String> = self
                    .settings
                    .schema
                    .iter()
                    .filter(|s| s.required && s.name != "sub" && !user.attributes.contains_key(&s.name))
                    .map(|s| format!("userAttributes.{}", s.name))
                    .collect();
                return Ok(json!({
                    "ChallengeName": "NEW_PASSWORD_REQUIRED",
                    "Session": seal(svc, &challenge),
                    "ChallengeParameters": {
                        "USER_ID_FOR_SRP": user.username,
                        "requiredAttributes": serde_json::to_string(&required).unwrap_or_default(),
                        "userAttributes": serde_json::to_string(&attributes).unwrap_or_default(),
                    },
                }));
            }
            "RESET_REQUIRED" => {
                return Err(CognitoError::new(
                    Exception::PasswordResetRequired,
                    "Password reset required for the user",
                ));
            }
            "UNCONFIRMED" => {
                return Err(CognitoError::new(Exception::UserNotConfirmed, "User is not confirmed."));
            }
            _ => {}
        }
        if let Some(challenge) = super::mfa::start(svc, self, &user).await? {
            return Ok(challenge);
        }
        succeeded(svc, &user, failures).await?;
        self.tokens(svc, &user).await
    }

    /// Tokens for `user`, every factor checked.
    pub async fn tokens(&self, svc: &Services, user: &UserRecord) -> Result<Value, CognitoError> {
        let sign_in = SignIn {
            user,
            groups: group_names(svc, &self.pool.id, &user.key).await?,
            client_id: &self.client.id,
            auth_time: now_ms() / 1000,
            origin_jti: uuid::Uuid::new_v4().to_string(),
        };
        let issued = issue(svc, &sign_in, self.lifetimes(), true).await?;
        Ok(json!({ "ChallengeParameters": {}, "AuthenticationResult": issued.json() }))
    }
}

/// A user's group names, by precedence (lowest first), for the tokens' `cognito:groups`.
pub(super) async fn group_names(
    svc: &Services,
    pool_id: &str,
    user_key: &str,
) -> Result<Vec<String>, CognitoError> {
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
fn lockout_ms(failures: i64) -> i64 {
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

fn param<'p>(params: &'p BTreeMap<String, String>, name: &str) -> Result<&'p str, CognitoError> {
    params.get(name).map(String::as_str).ok_or_else(|| {
        CognitoError::new(Exception::InvalidParameter, format!("Missing required parameter {name}"))
    })
}

async fn find_user(
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

/// Starts a sign-in: `flow` with its `params` (InitiateAuth's `AuthFlow` and `AuthParameters`;
/// `admin` for AdminInitiateAuth). Answers tokens or the first challenge.
///
/// # Errors
/// The Cognito error the flow ends in.
pub async fn initiate(
    svc: &Services,
    ctx: &Context,
    admin: bool,
    flow: &str,
    params: &BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    let admin_only = ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"].contains(&flow);
    let both = flow == "USER_SRP_AUTH" || flow == "USER_AUTH" || flow.starts_with("REFRESH_TOKEN");
    if admin_only != admin && !both {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            format!("Initiate Auth method not supported: {flow}"),
        ));
    }
    ctx.allows(flow)?;
    match flow {
        "USER_SRP_AUTH" => srp_start(svc, ctx, params).await,
        "USER_PASSWORD_AUTH" | "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
            let username = param(params, "USERNAME")?;
            ctx.check_secret_hash(svc, params, username)?;
            let user = find_user(svc, ctx, username).await?;
            password_sign_in(svc, ctx, username, user, param(params, "PASSWORD")?).await
        }
        "USER_AUTH" => {
            let username = param(params, "USERNAME")?;
            ctx.check_secret_hash(svc, params, username)?;
            let user = find_user(svc, ctx, username).await?;
            super::user_auth::start(svc, ctx, params, user).await
        }
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            let token = param(params, "REFRESH_TOKEN")?;
            let given = params.get("SECRET_HASH").map(String::as_str);
            super::refresh::refresh(svc, ctx, token, super::refresh::Proof::SecretHash(given), false).await
        }
        other => Err(CognitoError::new(
            Exception::InvalidParameter,
            format!("Initiate Auth method not supported: {other}"),
        )),
    }
}

/// Checks `password` for `user` (None: unknown) and goes on to MFA or tokens.
pub(super) async fn password_sign_in(
    svc: &Services,
    ctx: &Context,
    username: &str,
    user: Option<UserRecord>,
    password: &str,
) -> Result<Value, CognitoError> {
    let pool_name = cognate_srp::pool_name(&ctx.pool.id).map_err(CognitoError::from)?;
    let Some(user) = user else {
        if !ctx.hides_users() {
            return Err(ctx.unknown_user());
        }
        // The password work a real user's check costs, then the lockout and answer a real user gets.
        let asked = username_key(&ctx.settings, username);
        let salt = stand_in_salt(svc, &ctx.pool.id, &asked);
        let _ = Verifier::with_salt(salt, pool_name, &asked, password);
        return Err(unknown_failed(svc, &ctx.pool.id, &asked).await);
    };
    let failures = check_lockout(svc, &user).await?;
    let verifier = open_verifier(svc, &user).ok_or_else(wrong_password)?;
    if !verifier.matches(pool_name, &user.username, password) {
        return Err(failed(svc, &user).await);
    }
    enabled(&user)?;
    ctx.finish(svc, user, failures).await
}

pub(super) async fn srp_start(
    svc: &Services,
    ctx: &Context,
    params: &BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    let username = param(params, "USERNAME")?;
    let srp_a = param(params, "SRP_A")?;
    ctx.check_secret_hash(svc, params, username)?;
    let pool_name = cognate_srp::pool_name(&ctx.pool.id).map_err(CognitoError::from)?;
    let user = find_user(svc, ctx, username).await?;
    let (verifier, user_id, key) = match &user {
        Some(u) => (open_verifier(svc, u), u.username.clone(), Some(u.key.clone())),
        None => (None, username_key(&ctx.settings, username), None),
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

fn stand_in_work(challenge: &Challenge) {
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

fn stand_in_salt(svc: &Services, pool_id: &str, user_id: &str) -> SrpInt {
    use hmac::{KeyInit, Mac};
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&svc.derived_secret)
        .unwrap_or_else(|_| unreachable!());
    mac.update(pool_id.as_bytes());
    mac.update(b"\0");
    mac.update(user_id.as_bytes());
    let bytes = mac.finalize().into_bytes();
    SrpInt::from_be_bytes("salt", &bytes[..16])
        .unwrap_or_else(|_| SrpInt::from_be_bytes("salt", &[1]).unwrap_or_else(|_| unreachable!()))
}

/// Whether `username` (the username, in any case the pool ignores, or an alias) names the user the
/// challenge was issued to; for a stand-in challenge, the name it was asked for.
async fn names_challenge_user(
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

/// Answers the challenge `name` of a sign-in: its sealed state comes in `session`
/// (RespondToAuthChallenge's `Session`; PASSWORD_VERIFIER's is in the `PASSWORD_CLAIM_SECRET_BLOCK`
/// answer instead), the answers in `answers` (`ChallengeResponses`). Answers tokens or the next
/// challenge.
///
/// # Errors
/// The Cognito error the step ends in.
pub async fn respond(
    svc: &Services,
    ctx: &Context,
    name: &str,
    session: Option<&str>,
    answers: &BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    let state_text = match name {
        // Some clients send no Session here: the state is in the block they echo.
        "PASSWORD_VERIFIER" => param(answers, "PASSWORD_CLAIM_SECRET_BLOCK")?.to_owned(),
        _ => session.ok_or_else(invalid_session)?.to_owned(),
    };
    let challenge = open(svc, &state_text)?;
    if challenge.name != name || challenge.client != ctx.client.id || challenge.pool != ctx.pool.id {
        return Err(invalid_session());
    }
    if !svc.store.consume_challenge(&challenge.id, challenge.expires_ms, now_ms()).await.map_err(internal)? {
        return Err(invalid_session());
    }
    let username = param(answers, "USERNAME")?;
    ctx.check_secret_hash(svc, answers, username)?;
    if !names_challenge_user(svc, ctx, &challenge, username).await? {
        return Err(CognitoError::new(
            Exception::NotAuthorized,
            "USERNAME does not name the user this challenge was issued to.",
        ));
    }
    if name == "SELECT_CHALLENGE" {
        // Answered for unknown users too, as for anyone: the factor chosen decides what follows.
        let user = match &challenge.user {
            Some(key) => {
                Some(svc.store.user(&ctx.pool.id, key).await.map_err(internal)?.ok_or_else(invalid_session)?)
            }
            None => None,
        };
        return super::user_auth::answer_select(svc, ctx, &challenge, user, answers).await;
    }
    let Some(key) = &challenge.user else {
        // The stand-in challenge of an unknown user: spend what checking a real proof spends (v^u,
        // then the power of b) before answering as a wrong password does.
        stand_in_work(&challenge);
        return Err(match &challenge.asked {
            Some(asked) => unknown_failed(svc, &ctx.pool.id, asked).await,
            None => wrong_password(),
        });
    };
    let user =
        svc.store.user(&ctx.pool.id, key).await.map_err(internal)?.ok_or_else(|| ctx.unknown_user())?;
    match name {
        "PASSWORD_VERIFIER" => {
            let stamp = param(answers, "TIMESTAMP")?;
            let parsed = CognitoTimestamp::parse(stamp).map_err(CognitoError::from)?;
            if (parsed.unix() - now_ms() / 1000).abs() > TIMESTAMP_SKEW_S {
                return Err(CognitoError::new(
                    Exception::NotAuthorized,
                    "TIMESTAMP is too far from the server's time.",
                ));
            }
            let failures = check_lockout(svc, &user).await?;
            let verifier = open_verifier(svc, &user).ok_or_else(wrong_password)?;
            let b =
                SrpInt::from_hex("b", challenge.b.as_deref().unwrap_or("")).map_err(|_| invalid_session())?;
            let srp_a = challenge.srp_a.as_deref().unwrap_or("");
            let srp_b = challenge.srp_b.as_deref().unwrap_or("");
            let session =
                ServerSession::resume_with_b(srp_a, &verifier.v, &b, srp_b).map_err(CognitoError::from)?;
            let pool_name = cognate_srp::pool_name(&ctx.pool.id).map_err(CognitoError::from)?;
            let block = STANDARD.decode(&state_text).map_err(|_| invalid_session())?;
            let signature = param(answers, "PASSWORD_CLAIM_SIGNATURE")?;
            if session.verify_claim(pool_name, &user.username, &block, stamp, signature).is_err() {
                return Err(failed(svc, &user).await);
            }
            enabled(&user)?;
            ctx.finish(svc, user, failures).await
        }
        "NEW_PASSWORD_REQUIRED" => {
            let password = param(answers, "NEW_PASSWORD")?;
            ctx.settings.password_policy.check(password)?;
            enabled(&user)?;
            let mut user = user;
            let mut changes: BTreeMap<String, String> = answers
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix("userAttributes.")?.to_owned(), v.clone())))
                .collect();
            check_write(&ctx.settings.schema, ctx.writer(), &user.attributes, &changes)?;
            crate::domain::schema::normalize_booleans(&ctx.settings.schema, &mut changes);
            user.attributes.extend(changes);
            crate::domain::schema::check_required(&ctx.settings.schema, &user.attributes)?;
            user.verifier = Some(seal_verifier(svc, &ctx.pool, &user, password)?);
            user.status = "CONFIRMED".to_owned();
            user.aliases = crate::domain::users::aliases(&ctx.settings, &user.attributes);
            user.modified_ms = now_ms();
            svc.store.update_user(&user, &[], &[]).await.map_err(internal)?;
            ctx.finish(svc, user, 0).await
        }
        "WEB_AUTHN" => {
            enabled(&user)?;
            super::user_auth::answer_webauthn(svc, ctx, &challenge, user, answers).await
        }
        "SOFTWARE_TOKEN_MFA" | "MFA_SETUP" | "SMS_MFA" | "EMAIL_OTP" | "SMS_OTP" | "SELECT_MFA_TYPE" => {
            enabled(&user)?;
            super::mfa::answer(svc, ctx, &challenge, &user, answers).await
        }
        other => Err(CognitoError::new(
            Exception::InvalidParameter,
            format!("Cognate does not support the challenge {other} yet."),
        )),
    }
}
