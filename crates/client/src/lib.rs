//! `cognate-client`: the SDK core. Sign-up, sign-in (Cognito's SRP by default, the password flow,
//! or a passkey), challenges, the session and its refresh, sign-out, against a Cognate server or
//! AWS Cognito itself.
//!
//! Every operation is a [`Request`] or a [`Flow`]: it says which call (or WebAuthn credential) it
//! needs next and is resumed with the answer, so the same code runs natively, where
//! [`Client::drive`] makes the calls, and in the browser, where `cognate-wasm`'s JavaScript makes
//! them (and the wasm holds no async machinery). What the client needs from its host:
//!
//! - [`Transport`]: one Cognito call (`POST /` with `X-Amz-Target`), for [`Client::drive`];
//! - [`TokenStore`]: where tokens live (memory, localStorage, ...), with the key layout
//!   amazon-cognito-identity-js uses, so its users stay signed in when they switch;
//! - [`Clock`]: the time, to refresh ahead of expiry allowing for the drift from the server's clock;
//! - [`Authenticator`]: WebAuthn, for passkeys (`navigator.credentials` in browsers).
//!
//! The crate is `no_std` (with `alloc`) and reads and writes its own JSON ([`json`]): the browser
//! build ships every byte it links.

#![no_std]

extern crate alloc;
#[cfg(test)]
#[macro_use]
extern crate std;

mod account;
mod auth;
mod error;
mod flow;
mod gate;
pub mod json;
mod mfa;
mod passkey;
mod session;
mod transport;

pub use account::{CodeDelivery, DeleteUser, SignUpResult, read_attributes, read_deliveries};
pub use auth::{NextStep, SignIn, SignInFlow, SignInOutcome};
pub use error::ClientError;
pub use flow::{Flow, Input, NoTransport, Single, Step};
pub use json::Json;
pub use mfa::{MfaPreference, TotpSetup};
pub use passkey::{ListPasskeys, Passkey, RegisterPasskey};
pub use session::{Refresh, Session, SignOut, Tokens};
pub use transport::{Authenticator, Clock, TokenStore, Transport};

use alloc::string::String;

/// Where the client sends its calls and for which app client.
#[derive(Debug, Clone)]
pub struct Config {
    /// The user pool, `<region>_<id>`.
    pub user_pool_id: String,
    /// The app client.
    pub client_id: String,
    /// The app client's secret, for clients that have one (SECRET_HASH is then sent).
    pub client_secret: Option<String>,
    /// The endpoint; default `https://cognito-idp.<region>.amazonaws.com/`.
    pub endpoint: Option<String>,
}

impl Config {
    /// The endpoint calls go to.
    #[must_use]
    pub fn endpoint(&self) -> String {
        self.endpoint.clone().unwrap_or_else(|| {
            let region = self.user_pool_id.split('_').next().unwrap_or("us-east-1");
            ["https://cognito-idp.", region, ".amazonaws.com/"].concat()
        })
    }
}

/// One Cognito call, built apart from sending it: the operation, its body, and whether it carries
/// the signed-in user's access token. Flows ask for them ([`Step::Call`]); a single-call
/// operation is its request ([`Client::sign_up_request`], ...), sent ([`Client::send`]) and read.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    operation: &'static str,
    body: Json,
    authorized: bool,
}

impl Request {
    /// `operation` with `body`.
    #[must_use]
    pub fn new(operation: &'static str, body: Json) -> Self {
        Self { operation, body, authorized: false }
    }

    /// `operation` with `body` and the signed-in user's `AccessToken`.
    #[must_use]
    pub fn authorized(operation: &'static str, body: Json) -> Self {
        Self { operation, body, authorized: true }
    }

    /// The operation's name.
    #[must_use]
    pub fn operation(&self) -> &'static str {
        self.operation
    }
}

/// The SDK core. It is driven from one thread (the browser's event loop, or a `block_on`): it is
/// neither `Send` nor `Sync`, which keeps its locks down to a `Cell` each.
pub struct Client<T, S, C> {
    config: Config,
    transport: T,
    store: S,
    clock: C,
    /// One refresh at a time in this client; `cognate-wasm` adds a Web Lock across tabs.
    refreshing: gate::Gate,
    /// The challenge a sign-in is waiting on.
    pending: auth::PendingSlot,
}

impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    /// A client for `config`.
    pub fn new(config: Config, transport: T, store: S, clock: C) -> Self {
        Self {
            config,
            transport,
            store,
            clock,
            refreshing: gate::Gate::default(),
            pending: auth::PendingSlot::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The token store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// Sends a [`Request`]: for an authorized one, with a valid access token (refreshed first if
    /// needed). Returns the answer's JSON.
    pub async fn send(&self, request: Request) -> Result<Json, ClientError> {
        if request.authorized {
            self.session().await?;
        }
        let (target, body) = self.prepare(request)?;
        let (status, text) = self.transport.post(&self.config.endpoint(), &target, &body).await?;
        error::parse_response(status, &text)
    }

    /// `SECRET_HASH` for `username`, when the client has a secret.
    pub(crate) fn secret_hash(&self, username: &str) -> Option<String> {
        self.config
            .client_secret
            .as_deref()
            .map(|secret| cognate_srp::secret_hash::secret_hash(secret, username, &self.config.client_id))
    }
}
