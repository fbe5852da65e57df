//! A challenge's state, sealed into `SECRET_BLOCK` / `Session`: whose it is, which challenge, how
//! far it came, and what it needs (SRP's `b`, a code sent). Any server process opens it; each can
//! be answered once (`consume`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognate_proto::{CognitoError, Exception};
use serde::{Deserialize, Serialize};

use super::context::Context;
use crate::domain::users::username_key;
use crate::services::{Services, internal, now_ms};
use crate::store::UserRecord;

/// How long a challenge can be answered (Cognito's default auth session: 3 minutes).
pub(super) const CHALLENGE_TTL_MS: i64 = 3 * 60 * 1000;

/// A challenge's state, sealed into `SECRET_BLOCK` / `Session`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Challenge {
    /// Single-use id.
    pub(super) id: String,
    pub(super) pool: String,
    pub(super) client: String,
    /// The user's key; `None` for the stand-in challenge answered for unknown users. Left out of the
    /// sealed form when `None`, so a stand-in seals to the same length as a real challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) user: Option<String>,
    pub(super) name: String,
    pub(super) srp_a: Option<String>,
    /// The server's secret `b`, hex.
    pub(super) b: Option<String>,
    /// `SRP_B` as sent.
    pub(super) srp_b: Option<String>,
    pub(super) expires_ms: i64,
    /// How far a multi-step challenge has come (MFA_SETUP: `verified` once the app's code checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) step: Option<String>,
    /// The code sent for SMS_MFA / EMAIL_OTP: sealed with the rest, so no table holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) code: Option<String>,
    /// For a stand-in challenge, the lookup key of the name it was asked for (an answer must name
    /// the same user, as for anyone). Its sealed name is as long as `user`'s, on purpose.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "anon")]
    pub(super) asked: Option<String>,
    /// CUSTOM_AUTH's state: the session history the define trigger sees, and the create trigger's
    /// private parameters and metadata for the challenge being answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) custom: Option<serde_json::Value>,
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

    pub(super) fn fresh(pool: String, client: String, user: Option<String>, name: &str) -> Self {
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
            custom: None,
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
