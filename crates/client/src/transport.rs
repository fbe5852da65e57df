//! The three things the core needs from its host.

use alloc::string::String;
use core::future::Future;

use crate::ClientError;

/// One HTTP call: `POST endpoint` with `Content-Type: application/x-amz-json-1.1` and
/// `X-Amz-Target: target`. Returns the status and body of any HTTP answer; `Err` only when there
/// was none (network failure).
pub trait Transport {
    /// Sends `body`.
    fn post(
        &self,
        endpoint: &str,
        target: &str,
        body: &str,
    ) -> impl Future<Output = Result<(u16, String), ClientError>>;
}

/// String key/value storage, as `localStorage` offers it.
pub trait TokenStore {
    /// The value under `key`.
    fn get(&self, key: &str) -> Option<String>;
    /// Stores `value` under `key`.
    fn set(&self, key: &str, value: &str);
    /// Removes `key`.
    fn remove(&self, key: &str);
}

/// The host's clock.
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
}

/// The platform's WebAuthn (`navigator.credentials` in browsers; a software authenticator in
/// tests). Options go in and credentials come out in WebAuthn's JSON forms, as Cognito's API carries
/// them (`PublicKeyCredentialCreationOptionsJSON` → `RegistrationResponseJSON`, and the request
/// options → `AuthenticationResponseJSON`).
pub trait Authenticator {
    /// Makes a credential (`navigator.credentials.create`).
    fn create(&self, options_json: &str) -> impl Future<Output = Result<String, ClientError>>;
    /// Signs a challenge with one (`navigator.credentials.get`).
    fn get(&self, options_json: &str) -> impl Future<Output = Result<String, ClientError>>;
}
