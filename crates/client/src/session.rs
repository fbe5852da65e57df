//! The signed-in session: tokens in the [`TokenStore`], their claims, refresh ahead of expiry
//! (one at a time), and sign-out.
//!
//! Keys follow amazon-cognito-identity-js: `CognitoIdentityServiceProvider.<clientId>.LastAuthUser`
//! names the user, and `CognitoIdentityServiceProvider.<clientId>.<username>.{idToken, accessToken,
//! refreshToken, clockDrift}` hold the session, so apps moving from it keep their users signed in.

use alloc::borrow::ToOwned;
use alloc::string::String;

use crate::json::decimal;
use crate::{Client, ClientError, Clock, Json, TokenStore, Transport};

/// Refresh this long before the access or ID token expires (after allowing for clock drift).
const REFRESH_AHEAD_S: f64 = 60.0;

/// The three tokens of a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    /// The ID token (JWT).
    pub id_token: String,
    /// The access token (JWT).
    pub access_token: String,
    /// The refresh token (opaque).
    pub refresh_token: String,
}

/// The current session: tokens and their decoded (not verified) claims.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// The user name the session is stored under.
    pub username: String,
    /// The tokens.
    pub tokens: Tokens,
    /// The ID token's claims.
    pub id_claims: Json,
    /// The access token's claims.
    pub access_claims: Json,
    /// Server time minus local time, seconds, measured at sign-in.
    pub clock_drift: f64,
}

/// The payload of a JWT, decoded but not verified (the SDK trusts its own server's answer; APIs
/// verify tokens with cognate-jwt).
pub(crate) fn claims(jwt: &str) -> Option<Json> {
    let payload = jwt.split('.').nth(1)?;
    let claims = Json::parse(&String::from_utf8(cognate_srp::base64_decode(payload)?).ok()?)?;
    matches!(claims, Json::Object(_)).then_some(claims)
}

fn number(v: &Json, key: &str) -> f64 {
    v.get(key).and_then(Json::as_f64).unwrap_or(0.0)
}

impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    fn key(&self, rest: &str) -> String {
        ["CognitoIdentityServiceProvider.", &self.config.client_id, ".", rest].concat()
    }

    fn user_key(&self, username: &str, name: &str) -> String {
        self.key(&[username, ".", name].concat())
    }

    /// Stores a sign-in's tokens and makes the user the last signed in.
    pub(crate) fn store_tokens(
        &self,
        result: &Json,
        previous_refresh: Option<&str>,
    ) -> Result<Session, ClientError> {
        let text = |k: &str| result.get_str(k).map(str::to_owned);
        let (Some(id_token), Some(access_token)) = (text("IdToken"), text("AccessToken")) else {
            return Err(ClientError::invalid_response("has no tokens"));
        };
        let refresh_token = text("RefreshToken")
            .or_else(|| previous_refresh.map(str::to_owned))
            .ok_or_else(|| ClientError::invalid_response("has no refresh token"))?;
        let access_claims = claims(&access_token)
            .ok_or_else(|| ClientError::invalid_response("has a malformed access token"))?;
        let id_claims =
            claims(&id_token).ok_or_else(|| ClientError::invalid_response("has a malformed ID token"))?;
        let username = access_claims
            .get_str("username")
            .ok_or_else(|| ClientError::invalid_response("has an access token without username"))?
            .to_owned();
        let clock_drift = number(&access_claims, "iat") - self.clock.now_ms() / 1000.0;
        // Whole seconds (rounded half away from zero; `f64::round` is std's), written as an integer:
        // no float formatting code in the browser build.
        #[allow(clippy::cast_possible_truncation)]
        let drift = decimal((clock_drift + 0.5_f64.copysign(clock_drift)) as i64);
        for (name, value) in [
            ("idToken", &id_token),
            ("accessToken", &access_token),
            ("refreshToken", &refresh_token),
            ("clockDrift", &drift),
        ] {
            self.store.set(&self.user_key(&username, name), value);
        }
        self.store.set(&self.key("LastAuthUser"), &username);
        let tokens = Tokens { id_token, access_token, refresh_token };
        Ok(Session { username, tokens, id_claims, access_claims, clock_drift })
    }

    /// The stored session, as it is (possibly expired); None when nobody is signed in.
    pub fn stored_session(&self) -> Option<Session> {
        let username = self.store.get(&self.key("LastAuthUser"))?;
        let get = |name: &str| self.store.get(&self.user_key(&username, name));
        let tokens = Tokens {
            id_token: get("idToken")?,
            access_token: get("accessToken")?,
            refresh_token: get("refreshToken")?,
        };
        #[allow(clippy::cast_precision_loss)]
        let clock_drift = get("clockDrift").and_then(|d| d.parse::<i64>().ok()).map_or(0.0, |d| d as f64);
        Some(Session {
            id_claims: claims(&tokens.id_token)?,
            access_claims: claims(&tokens.access_token)?,
            username,
            tokens,
            clock_drift,
        })
    }

    /// True when the session's ID or access token expires within the refresh margin, on the
    /// server's clock.
    #[must_use]
    pub fn needs_refresh(&self, session: &Session) -> bool {
        let server_now = self.clock.now_ms() / 1000.0 + session.clock_drift;
        let expires = number(&session.access_claims, "exp").min(number(&session.id_claims, "exp"));
        server_now + REFRESH_AHEAD_S >= expires
    }

    /// The current session, refreshed first if it is about to expire. Returns the session and
    /// whether it was refreshed. `NotAuthorizedException` when nobody is signed in or the refresh
    /// token no longer works (the stored session is then cleared).
    pub async fn session(&self) -> Result<(Session, bool), ClientError> {
        let session = self.stored_session().ok_or_else(ClientError::not_signed_in)?;
        if !self.needs_refresh(&session) {
            return Ok((session, false));
        }
        self.refresh().await
    }

    /// Refreshes the session now if it still needs it once this caller's turn comes: concurrent
    /// callers wait for one refresh and share its result.
    pub async fn refresh(&self) -> Result<(Session, bool), ClientError> {
        let _turn = self.refreshing.enter().await;
        let session = self.stored_session().ok_or_else(ClientError::not_signed_in)?;
        if !self.needs_refresh(&session) {
            return Ok((session, false));
        }
        self.refresh_or_clear(&session).await.map(|fresh| (fresh, true))
    }

    /// Forces a refresh regardless of expiry (still one at a time).
    pub async fn refresh_now(&self) -> Result<Session, ClientError> {
        let _turn = self.refreshing.enter().await;
        let session = self.stored_session().ok_or_else(ClientError::not_signed_in)?;
        self.refresh_or_clear(&session).await
    }

    /// A refresh; a refresh token the server refuses (revoked, signed out, reused) ends the stored
    /// session, so the app sees a signed-out user rather than one that fails on every call.
    async fn refresh_or_clear(&self, session: &Session) -> Result<Session, ClientError> {
        let refreshed = self.refresh_tokens(session).await;
        if let Err(e) = &refreshed
            && (e.name == "NotAuthorizedException" || e.name == "RefreshTokenReuseException")
        {
            self.clear(&session.username);
        }
        refreshed
    }

    /// GetTokensFromRefreshToken (rotation aware); InitiateAuth REFRESH_TOKEN_AUTH where the server
    /// does not have it.
    async fn refresh_tokens(&self, session: &Session) -> Result<Session, ClientError> {
        let refresh = &session.tokens.refresh_token;
        let body = Json::object()
            .with("ClientId", &self.config.client_id)
            .with("RefreshToken", refresh)
            .with_opt("ClientSecret", self.config.client_secret.as_deref());
        let result = match self.call("GetTokensFromRefreshToken", body).await {
            Ok(answer) => answer,
            Err(e) if e.name == "UnknownOperationException" || e.name == "UnsupportedOperationException" => {
                let params = Json::object()
                    .with("REFRESH_TOKEN", refresh)
                    .with_opt("SECRET_HASH", self.secret_hash(&session.username));
                self.initiate_auth("REFRESH_TOKEN_AUTH", params).await?
            }
            Err(e) => return Err(e),
        };
        let tokens = result
            .get("AuthenticationResult")
            .ok_or_else(|| ClientError::invalid_response("has no AuthenticationResult"))?;
        self.store_tokens(tokens, Some(refresh))
    }

    /// Signs out: locally, or also everywhere (GlobalSignOut, so every refresh token of the user
    /// stops working). A local sign-out revokes this session's refresh token (RevokeToken) first.
    /// The stored session is cleared whatever the server says.
    pub async fn sign_out(&self, global: bool) -> Result<(), ClientError> {
        let Some(session) = self.stored_session() else { return Ok(()) };
        let outcome = if global {
            let body = Json::object().with("AccessToken", &session.tokens.access_token);
            self.call("GlobalSignOut", body).await.map(drop)
        } else {
            let body = Json::object()
                .with("ClientId", &self.config.client_id)
                .with("Token", &session.tokens.refresh_token)
                .with_opt("ClientSecret", self.config.client_secret.as_deref());
            self.call("RevokeToken", body).await.map(drop)
        };
        self.clear(&session.username);
        outcome
    }

    pub(crate) fn clear(&self, username: &str) {
        for name in ["idToken", "accessToken", "refreshToken", "clockDrift"] {
            self.store.remove(&self.user_key(username, name));
        }
        self.store.remove(&self.key("LastAuthUser"));
    }

    /// A body holding a valid `AccessToken` (refreshed first if needed), for calls that take one.
    pub(crate) async fn with_access_token(&self) -> Result<Json, ClientError> {
        Ok(Json::object().with("AccessToken", self.session().await?.0.tokens.access_token))
    }
}
