//! What the authorization server hands out between requests, sealed so any server process can open
//! it and single-use through the store: authorization codes (5 minutes, bound to the client, the
//! redirect URI and the PKCE challenge) and the managed login session (the `cognito` cookie).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::services::{Services, internal, now_ms};
use cognate_proto::CognitoError;

/// How long an authorization code can be redeemed.
pub const CODE_TTL_MS: i64 = 5 * 60 * 1000;

const CODE_CONTEXT: &str = "oauth-code";
const SESSION_CONTEXT: &str = "hosted-session";

/// An authorization code's content.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Code {
    /// Single-use id.
    pub id: String,
    /// The pool.
    pub pool: String,
    /// The client it was issued to.
    pub client: String,
    /// The user.
    pub user: String,
    /// The redirect URI of the authorize request, which the token request must repeat.
    pub redirect_uri: String,
    /// Scopes granted.
    pub scopes: Vec<String>,
    /// The app's nonce, for the ID token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The PKCE challenge (S256), if one was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// When the user authenticated, epoch seconds.
    pub auth_time: i64,
    /// When the code stops working.
    pub expires_ms: i64,
}

/// A managed login session: who signed in on this domain, and when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// Its id; `/logout` ends it for every copy of the cookie.
    pub id: String,
    /// The pool.
    pub pool: String,
    /// The user's key.
    pub user: String,
    /// The user's `sub`: a user deleted and made again under the same name is another user.
    pub sub: String,
    /// When the user authenticated, epoch seconds.
    pub auth_time: i64,
    /// When the session ends.
    pub expires_ms: i64,
}

fn seal<T: Serialize>(svc: &Services, context: &str, value: &T) -> String {
    URL_SAFE_NO_PAD.encode(svc.sealer.seal(context, &serde_json::to_vec(value).unwrap_or_default()))
}

fn open<T: for<'de> Deserialize<'de>>(svc: &Services, context: &str, text: &str) -> Option<T> {
    if text.len() > 8192 {
        return None;
    }
    let sealed = URL_SAFE_NO_PAD.decode(text).ok()?;
    let plain = svc.sealer.open(context, &sealed).ok()?;
    serde_json::from_slice(&plain).ok()
}

impl Code {
    /// The code as the app receives it.
    #[must_use]
    pub fn seal(&self, svc: &Services) -> String {
        seal(svc, CODE_CONTEXT, self)
    }

    /// Opens and spends a code: `None` for anything but a live, unspent code of this server.
    ///
    /// # Errors
    /// `InternalErrorException` when the store fails.
    pub async fn redeem(svc: &Services, text: &str) -> Result<Option<Self>, CognitoError> {
        let Some(code) = open::<Self>(svc, CODE_CONTEXT, text) else { return Ok(None) };
        if code.expires_ms < now_ms() {
            return Ok(None);
        }
        let fresh =
            svc.store.consume_challenge(&code.id, code.expires_ms, now_ms()).await.map_err(internal)?;
        Ok(fresh.then_some(code))
    }

    /// Whether `verifier` answers the code's PKCE challenge (RFC 7636 S256); a code issued without
    /// a challenge takes no verifier.
    #[must_use]
    pub fn verifier_matches(&self, verifier: Option<&str>) -> bool {
        match (&self.challenge, verifier) {
            (None, None) => true,
            (Some(challenge), Some(verifier)) if valid_pkce_text(verifier) => {
                let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                bool::from(computed.as_bytes().ct_eq(challenge.as_bytes()))
            }
            _ => false,
        }
    }
}

/// RFC 7636's `code_verifier` / `code_challenge` text: 43–128 unreserved characters.
#[must_use]
pub fn valid_pkce_text(text: &str) -> bool {
    (43..=128).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

impl Session {
    /// The cookie value.
    #[must_use]
    pub fn seal(&self, svc: &Services) -> String {
        seal(svc, SESSION_CONTEXT, self)
    }

    /// Opens a cookie: `None` unless it is a live session of `pool` that `/logout` has not ended.
    ///
    /// # Errors
    /// `InternalErrorException` when the store fails.
    pub async fn open(svc: &Services, pool: &str, text: &str) -> Result<Option<Self>, CognitoError> {
        let Some(session) = open::<Self>(svc, SESSION_CONTEXT, text) else { return Ok(None) };
        if session.pool != pool || session.expires_ms < now_ms() {
            return Ok(None);
        }
        if svc.store.challenge_used(&session.id).await.map_err(internal)? {
            return Ok(None);
        }
        Ok(Some(session))
    }

    /// Ends the session for every copy of its cookie.
    ///
    /// # Errors
    /// `InternalErrorException` when the store fails.
    pub async fn end(&self, svc: &Services) -> Result<(), CognitoError> {
        svc.store.consume_challenge(&self.id, self.expires_ms, now_ms()).await.map_err(internal)?;
        Ok(())
    }
}
