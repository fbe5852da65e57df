//! The signed-in session: tokens in the [`TokenStore`], their claims, refresh ahead of expiry
//! (one at a time), and sign-out.
//!
//! Keys follow amazon-cognito-identity-js: `CognitoIdentityServiceProvider.<clientId>.LastAuthUser`
//! names the user, and `CognitoIdentityServiceProvider.<clientId>.<username>.{idToken, accessToken,
//! refreshToken, clockDrift}` hold the session, so apps moving from it keep their users signed in.

use alloc::borrow::ToOwned;
use alloc::string::String;

use crate::flow::{Flow, Input, NoAuthenticator, Step};
use crate::json::decimal;
use crate::{Client, ClientError, Clock, Json, Request, TokenStore, Transport};

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

    /// The signed-in user's name, as stored (no token is read).
    pub(crate) fn stored_user(&self) -> Option<String> {
        self.store.get(&self.key("LastAuthUser"))
    }

    /// The signed-in user's access token, as stored (not decoded: for sending).
    pub(crate) fn stored_access_token(&self) -> Option<String> {
        self.store.get(&self.user_key(&self.stored_user()?, "accessToken"))
    }

    /// The stored session, as it is (possibly expired); None when nobody is signed in.
    pub fn stored_session(&self) -> Option<Session> {
        let username = self.stored_user()?;
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
        // Boxed: a refresh is a flow, and flows send requests, which may ask for this session.
        alloc::boxed::Box::pin(self.refresh()).await
    }

    /// Refreshes the session now if it still needs it once this caller's turn comes: concurrent
    /// callers wait for one refresh and share its result.
    pub async fn refresh(&self) -> Result<(Session, bool), ClientError> {
        let _turn = self.refreshing.enter().await;
        self.drive(Refresh::new(false), &NoAuthenticator).await
    }

    /// Forces a refresh regardless of expiry (still one at a time).
    pub async fn refresh_now(&self) -> Result<Session, ClientError> {
        let _turn = self.refreshing.enter().await;
        self.drive(Refresh::new(true), &NoAuthenticator).await.map(|(session, _)| session)
    }

    /// Signs out: locally, or also everywhere (see [`SignOut`]).
    pub async fn sign_out(&self, global: bool) -> Result<(), ClientError> {
        self.drive(SignOut::new(global), &NoAuthenticator).await
    }

    pub(crate) fn clear(&self, username: &str) {
        for name in ["idToken", "accessToken", "refreshToken", "clockDrift"] {
            self.store.remove(&self.user_key(username, name));
        }
        self.store.remove(&self.key("LastAuthUser"));
    }
}

/// A refresh as a [`Flow`]: GetTokensFromRefreshToken (rotation aware), or InitiateAuth
/// REFRESH_TOKEN_AUTH where the server does not have it. Ends with the session and whether it
/// was refreshed: a session that no longer needs it (another caller refreshed it first) is kept
/// unless the refresh is forced. A refresh token the server refuses (revoked, signed out, reused)
/// ends the stored session, so the app sees a signed-out user rather than one that fails on every
/// call. Run one at a time (natively [`Client::refresh`] does; in browsers a Web Lock).
#[derive(Debug)]
pub struct Refresh {
    force: bool,
    stage: Option<(Session, bool)>,
}

impl Refresh {
    /// A refresh if the stored session needs one, or (`force`) regardless.
    #[must_use]
    pub fn new(force: bool) -> Self {
        Self { force, stage: None }
    }
}

impl Flow for Refresh {
    type Output = (Session, bool);

    fn resume<T: Transport, S: TokenStore, C: Clock>(
        &mut self,
        c: &Client<T, S, C>,
        input: Input,
    ) -> Result<Step<(Session, bool)>, ClientError> {
        let Some((session, fallback)) = self.stage.take() else {
            let session = c.stored_session().ok_or_else(ClientError::not_signed_in)?;
            if !self.force && !c.needs_refresh(&session) {
                return Ok(Step::Done((session, false)));
            }
            let body = Json::object()
                .with("ClientId", &c.config.client_id)
                .with("RefreshToken", &session.tokens.refresh_token)
                .with_opt("ClientSecret", c.config.client_secret.as_deref());
            self.stage = Some((session, false));
            return Ok(Step::Call(Request::new("GetTokensFromRefreshToken", body)));
        };
        let refresh = &session.tokens.refresh_token;
        let answer = match input.answer() {
            Err(e)
                if !fallback
                    && (e.name == "UnknownOperationException"
                        || e.name == "UnsupportedOperationException") =>
            {
                let params = Json::object()
                    .with("REFRESH_TOKEN", refresh)
                    .with_opt("SECRET_HASH", c.secret_hash(&session.username));
                let request = c.initiate_auth("REFRESH_TOKEN_AUTH", params);
                self.stage = Some((session, true));
                return Ok(Step::Call(request));
            }
            answer => answer,
        };
        let refreshed = answer.and_then(|answer| {
            let tokens = answer
                .get("AuthenticationResult")
                .ok_or_else(|| ClientError::invalid_response("has no AuthenticationResult"))?;
            c.store_tokens(tokens, Some(refresh))
        });
        if let Err(e) = &refreshed
            && (e.name == "NotAuthorizedException" || e.name == "RefreshTokenReuseException")
        {
            c.clear(&session.username);
        }
        refreshed.map(|fresh| Step::Done((fresh, true)))
    }
}

/// Sign-out as a [`Flow`]: locally, or also everywhere (GlobalSignOut, so every refresh token of
/// the user stops working). A local sign-out revokes this session's refresh token (RevokeToken)
/// first. The stored session is cleared whatever the server says.
#[derive(Debug)]
pub struct SignOut {
    global: bool,
    username: Option<String>,
}

impl SignOut {
    /// A local (`global` false) or global sign-out.
    #[must_use]
    pub fn new(global: bool) -> Self {
        Self { global, username: None }
    }
}

impl Flow for SignOut {
    type Output = ();

    fn resume<T: Transport, S: TokenStore, C: Clock>(
        &mut self,
        c: &Client<T, S, C>,
        input: Input,
    ) -> Result<Step<()>, ClientError> {
        if let Some(username) = self.username.take() {
            c.clear(&username);
            return input.answer().map(|_| Step::Done(()));
        }
        let Some(session) = c.stored_session() else { return Ok(Step::Done(())) };
        let request = if self.global {
            Request::new("GlobalSignOut", Json::object().with("AccessToken", &session.tokens.access_token))
        } else {
            let body = Json::object()
                .with("ClientId", &c.config.client_id)
                .with("Token", &session.tokens.refresh_token)
                .with_opt("ClientSecret", c.config.client_secret.as_deref());
            Request::new("RevokeToken", body)
        };
        self.username = Some(session.username);
        Ok(Step::Call(request))
    }
}
